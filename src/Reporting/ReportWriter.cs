using System.Text;
using Core.Store;
using Reporting.Analysis;
using Reporting.Csv;
using Reporting.Data;
using Reporting.Figures;
using Reporting.Latex;
using Reporting.Markdown;
using Reporting.Sections;

namespace Reporting;

/// <summary>
/// Writes the report of one sweep: report.md (sections in the order of the study), figures/ in each of
/// <paramref name="formats"/> (default PNG and SVG; report.md links the first), tables.tex and trials.csv,
/// metrics.csv, probes.csv, samples.csv. Reads the database only. The same database gives the same bytes:
/// nothing in the output depends on the clock, the machine's culture or hash order.
/// </summary>
public sealed class ReportWriter(Database db, IReadOnlyList<FigureFormat>? formats = null)
{
    private readonly IReadOnlyList<FigureFormat> _formats = formats is { Count: > 0 } f ? f : FigureFormats.Default;

    public const string ReportFile = "report.md";

    private static readonly ISection[] Sections =
    [
        new OverviewSection(),
        new ArchitectureSection(),
        new LearningCurvesSection(),
        new ErrorRatesSection(),
        new CheckpointsSection(),
        new FactorEffectsSection(),
        new CellComparisonSection(),
        new PrimedTextSection(),
        new FindingsSection(),
    ];

    /// <summary>
    /// Writes the report of <paramref name="sweep"/> (null: the most recently updated sweep) into
    /// <paramref name="outDir"/> (null: &lt;database folder&gt;/&lt;sweep&gt;/). Throws <see cref="SweepNotFoundException"/>
    /// for an unknown sweep or a database without sweeps, <see cref="ReportException"/> for a folder that cannot be
    /// written or figure text that cannot be drawn.
    /// </summary>
    public ReportResult Write(string? sweep, string? outDir, CancellationToken ct)
    {
        FigureFont.EnsureReady(); // figures without text are an error, found before anything is written
        var chosen = new SweepRepository(db).Find(sweep);
        var dir = Path.GetFullPath(outDir ?? Path.Combine(db.Folder, FolderName(chosen.Name)));
        EnsureWritable(dir);

        var data = SweepLoader.Load(db, chosen, ct);
        var design = Design.Build(data);
        var figures = new FigureSet(new FigureOptions(_formats, data.LastChange));
        var context = new ReportContext(data, design, figures, ct);
        var md = new MarkdownWriter();
        foreach (var section in Sections)
        {
            ct.ThrowIfCancellationRequested();
            section.Write(context, md);
        }

        var outputs = new List<(string Relative, byte[] Bytes)>
        {
            (ReportFile, new UTF8Encoding(false).GetBytes(md.ToString())),
            (TablesTex.File, Encoding.ASCII.GetBytes(TablesTex.Build(context))),
        };
        outputs.AddRange(CsvFiles.Build(data, design, ct));
        outputs.AddRange(figures.All);
        ct.ThrowIfCancellationRequested();
        var files = WriteAll(dir, outputs);
        return new ReportResult(chosen.Name, dir, Path.Combine(dir, ReportFile), files);
    }

    /// <summary>The sweep's name as one safe folder name.</summary>
    internal static string FolderName(string sweep)
    {
        var invalid = Path.GetInvalidFileNameChars();
        var name = new string(sweep.Select(c => invalid.Contains(c) || c == '\\' ? '_' : c).ToArray());
        return name is "" or "." or ".." ? "_" + name : name;
    }

    internal static void EnsureWritable(string dir)
    {
        var probe = Path.Combine(dir, $".write-test-{Environment.ProcessId}");
        try
        {
            Directory.CreateDirectory(dir);
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ReportException($"cannot write the report to {dir}: {e.Message}");
        }
    }

    /// <summary>
    /// Writes each file through a temporary name and a rename, so a reader never sees half a file, and
    /// removes figures of an earlier report that this one no longer has (figures/ belongs to the report).
    /// </summary>
    internal static IReadOnlyList<string> WriteAll(string dir, IReadOnlyList<(string Relative, byte[] Bytes)> outputs)
    {
        var written = new List<string>();
        try
        {
            foreach (var (relative, bytes) in outputs)
            {
                var path = Path.Combine(dir, relative);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                var temp = path + ".tmp";
                File.WriteAllBytes(temp, bytes);
                File.Move(temp, path, overwrite: true);
                written.Add(path);
            }
            var figureDir = Path.Combine(dir, FigureSet.Folder);
            if (Directory.Exists(figureDir))
            {
                var keep = written.ToHashSet(StringComparer.Ordinal);
                foreach (var stale in Enum.GetValues<FigureFormat>().SelectMany(f => Directory.GetFiles(figureDir, "*." + f.Extension()))
                             .Where(f => !keep.Contains(Path.GetFullPath(f))))
                    File.Delete(stale);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ReportException($"cannot write the report to {dir}: {e.Message}");
        }
        return written;
    }
}
