using System.Globalization;
using System.Xml.Linq;

namespace Reporting.Tests.Support;

/// <summary>
/// A figure's SVG as a reader's tools see it: its title, the text it shows (each text drawn as glyph outlines
/// carries its string in aria-label), the glyphs it uses and defines, and the metadata block with each panel's
/// axis limits and y tick labels and the colour scale.
/// </summary>
public sealed class SvgFigure
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";
    private static readonly XNamespace XLink = "http://www.w3.org/1999/xlink";
    private static readonly XNamespace Meta = "urn:x-orchestrator:report-figure";

    public SvgFigure(string path)
    {
        Path = path;
        var doc = XDocument.Load(path);
        var root = doc.Root!;
        Width = (int)double.Parse(root.Attribute("width")!.Value, CultureInfo.InvariantCulture);
        Height = (int)double.Parse(root.Attribute("height")!.Value, CultureInfo.InvariantCulture);
        Title = root.Element(Svg + "title")?.Value;
        TextElements = root.Descendants(Svg + "text").Count();
        Texts = root.Descendants(Svg + "g").Select(g => (string?)g.Attribute("aria-label")).OfType<string>().ToList();
        Defined = root.Descendants().Select(e => (string?)e.Attribute("id")).OfType<string>().Select(id => "#" + id).ToHashSet(StringComparer.Ordinal);
        Used = root.Descendants(Svg + "use").Select(u => (string)u.Attribute(XLink + "href")!).ToList();
        var figure = root.Element(Svg + "metadata")?.Element(Meta + "figure");
        Panels = figure?.Elements(Meta + "panel").Select(p => new Panel(
            (string)p.Attribute("title")!, D(p, "y-min"), D(p, "y-max"), ((string)p.Attribute("y-ticks")!).Split('|'))).ToList() ?? [];
        var colour = figure?.Element(Meta + "colour-scale");
        Colour = colour is null ? null : (D(colour, "min"), D(colour, "max"));
    }

    public sealed record Panel(string Title, double YMin, double YMax, IReadOnlyList<string> YTicks);

    public string Path { get; }
    public int Width { get; }
    public int Height { get; }
    public string? Title { get; }
    /// <summary>How many &lt;text&gt; elements are left (text a viewer would set in its own fonts).</summary>
    public int TextElements { get; }
    /// <summary>Every text the figure shows, in drawing order.</summary>
    public IReadOnlyList<string> Texts { get; }
    /// <summary>"#id" of every element with an id (glyph outlines, images, clip paths).</summary>
    public IReadOnlySet<string> Defined { get; }
    /// <summary>What every &lt;use&gt; refers to.</summary>
    public IReadOnlyList<string> Used { get; }
    public IReadOnlyList<Panel> Panels { get; }
    public (double Min, double Max)? Colour { get; }

    private static double D(XElement e, string name) => double.Parse((string)e.Attribute(name)!, CultureInfo.InvariantCulture);
}
