using System.Globalization;
using System.Text;
using System.Xml.Linq;
using SkiaSharp;

namespace Reporting.Figures;

/// <summary>
/// Turns the <c>&lt;text&gt;</c> elements of an SVG written by Skia's SVG canvas into glyph outlines of the
/// figures' embedded font, so the SVG looks the same in every viewer whatever fonts it has. Each glyph
/// is defined once (<c>&lt;defs&gt;</c>) and placed with <c>&lt;use&gt;</c> at the position Skia laid it
/// out; each former text element becomes a group whose <c>aria-label</c> keeps the text (searchable,
/// read by screen readers, invisible).
/// </summary>
/// <remarks>
/// Skia writes one position per character it kept: it drops characters the font has no glyph for and
/// collapses runs of spaces into one, as SVG itself would. Its XML writer indents the content with a
/// newline and tabs before and after the text, which are not part of it.
/// </remarks>
internal static partial class SvgGlyphs
{
    public static readonly XNamespace Svg = "http://www.w3.org/2000/svg";
    public static readonly XNamespace XLink = "http://www.w3.org/1999/xlink";
    private const float UnitsPerEm = 64; // glyphs are defined at this size and scaled to each text's size
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The SVG with every text element replaced by glyph outlines drawn from <paramref name="regular"/> or <paramref name="bold"/>.</summary>
    public static XDocument ToPaths(string svg, SKTypeface regular, SKTypeface bold, string family)
    {
        var doc = XDocument.Parse(svg, LoadOptions.PreserveWhitespace);
        var root = doc.Root ?? throw new ReportException("figure SVG has no root element");
        RenumberIds(root);
        var defs = new XElement(Svg + "defs");
        var defined = new HashSet<string>(StringComparer.Ordinal);
        using var regularFont = new SKFont(regular, UnitsPerEm);
        using var boldFont = new SKFont(bold, UnitsPerEm);
        foreach (var text in root.Descendants(Svg + "text").ToList())
        {
            var attrs = text.Attributes().ToDictionary(a => a.Name.LocalName, a => a.Value, StringComparer.Ordinal);
            var fontFamily = attrs.GetValueOrDefault("font-family");
            if (fontFamily != family)
                throw new ReportException($"figure text '{text.Value.Trim()}' is set in '{fontFamily}', not the embedded {family}; it cannot be converted to outlines");
            var isBold = attrs.TryGetValue("font-weight", out var w) && (w is "bold" or "bolder" || int.TryParse(w, Inv, out var weight) && weight >= 600);
            var (face, font, tag) = isBold ? (bold, boldFont, "b") : (regular, regularFont, "r");
            var size = double.Parse(attrs.GetValueOrDefault("font-size") ?? "12", Inv);
            var xs = Numbers(attrs.GetValueOrDefault("x"));
            var ys = Numbers(attrs.GetValueOrDefault("y"));
            var content = Content(text.Value);
            var runes = content.EnumerateRunes().ToList();
            if (runes.Count > xs.Count || (ys.Count != 1 && ys.Count != xs.Count))
                throw new ReportException($"figure text '{content}' has {runes.Count} characters but {xs.Count} x and {ys.Count} y positions in the SVG");

            var group = new XElement(Svg + "g");
            foreach (var (name, value) in attrs.Where(a => a.Key is not ("x" or "y" or "font-size" or "font-family" or "font-weight" or "font-style")))
                group.SetAttributeValue(name, value);
            group.SetAttributeValue("aria-label", content);
            var scale = size / UnitsPerEm;
            for (var i = 0; i < runes.Count; i++)
            {
                var glyph = face.GetGlyph(runes[i].Value);
                if (glyph == 0) continue;
                var id = $"{tag}{glyph.ToString(Inv)}";
                if (!defined.Contains(id))
                {
                    using var path = font.GetGlyphPath(glyph);
                    if (path is null || path.IsEmpty) continue; // a space: nothing to draw
                    defs.Add(new XElement(Svg + "path", new XAttribute("id", id), new XAttribute("d", PathData(path))));
                    defined.Add(id);
                }
                var y = ys.Count == 1 ? ys[0] : ys[i];
                group.Add(new XElement(Svg + "use", new XAttribute(XLink + "href", "#" + id),
                    new XAttribute("transform", $"translate({N(xs[i])} {N(y)}) scale({N(scale)})")));
            }
            text.ReplaceWith(group);
        }
        if (defined.Count > 0) root.AddFirst(defs);
        return doc;
    }

    /// <summary>
    /// Skia numbers clip paths and images with counters that run on across documents (cl_4 in one figure, cl_8 in
    /// the next rendering of the same figure); the ids are renumbered in document order and every reference to them
    /// (<c>url(#…)</c>, <c>#…</c>) rewritten, so the same figure gives the same bytes.
    /// </summary>
    private static void RenumberIds(XElement root)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var e in root.DescendantsAndSelf())
            if (e.Attribute("id") is { } id)
            {
                var fresh = $"s{map.Count.ToString(Inv)}";
                map[id.Value] = fresh;
                id.Value = fresh;
            }
        if (map.Count == 0) return;
        foreach (var a in root.DescendantsAndSelf().SelectMany(e => e.Attributes()).Where(a => a.Name.LocalName != "id" && a.Value.Contains('#')))
            a.Value = Reference().Replace(a.Value, m => map.TryGetValue(m.Groups[1].Value, out var fresh) ? "#" + fresh : m.Value);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"#([A-Za-z_][\w.\-]*)")]
    private static partial System.Text.RegularExpressions.Regex Reference();

    /// <summary>The text of an element without the indentation Skia's XML writer puts around it.</summary>
    private static string Content(string value)
    {
        var s = value;
        if (s.StartsWith('\n')) s = s.TrimStart('\n', '\t');
        var end = s.LastIndexOf('\n');
        if (end >= 0 && s[end..].All(c => c is '\n' or '\t')) s = s[..end];
        return s;
    }

    /// <summary>"1.5, 2, 3.25, " → [1.5, 2, 3.25].</summary>
    private static List<double> Numbers(string? list) =>
        (list ?? "").Split([',', ' '], StringSplitOptions.RemoveEmptyEntries).Select(x => double.Parse(x, Inv)).ToList();

    private static string PathData(SKPath path)
    {
        // Skia's own SVG path string, with coordinates rounded to 1/100 of a unit (1/6400 em).
        var sb = new StringBuilder();
        using var iterator = path.CreateRawIterator();
        var points = new SKPoint[4];
        SKPathVerb verb;
        while ((verb = iterator.Next(points)) != SKPathVerb.Done)
        {
            switch (verb)
            {
                case SKPathVerb.Move: sb.Append('M').Append(P(points[0])); break;
                case SKPathVerb.Line: sb.Append('L').Append(P(points[1])); break;
                case SKPathVerb.Quad: sb.Append('Q').Append(P(points[1])).Append(' ').Append(P(points[2])); break;
                case SKPathVerb.Cubic: sb.Append('C').Append(P(points[1])).Append(' ').Append(P(points[2])).Append(' ').Append(P(points[3])); break;
                case SKPathVerb.Conic:
                    throw new ReportException("a glyph outline has a conic segment, which SVG cannot express"); // TrueType outlines are quadratic
                case SKPathVerb.Close: sb.Append('Z'); break;
            }
        }
        return sb.ToString();
    }

    private static string P(SKPoint p) => $"{p.X.ToString("0.##", Inv)} {p.Y.ToString("0.##", Inv)}";

    private static string N(double v) => v.ToString("0.###", Inv);
}
