using System.Diagnostics;
using System.Security.Cryptography;
using SkiaSharp;
using TestSupport;

namespace Orchestrator.Tests;

/// <summary>
/// GPU servers and containers often have no system fonts. There the report's figures must still carry
/// their text: `orchestrator report` run where no system font is visible (a private mount namespace with
/// an empty tmpfs over the font folders) writes the same bytes as with the machine's fonts, and every
/// figure's title strip has text in it.
/// </summary>
[Collection("sweeps")]
public sealed class FontlessReportTests
{
    /// <summary>The folders fontconfig (and so SkiaSharp) reads system fonts from.</summary>
    private static readonly string[] SystemFontFolders = ["/usr/share/fonts", "/usr/local/share/fonts"];

    [Fact]
    public void A_report_written_without_system_fonts_has_the_same_figures_with_their_text()
    {
        using var dir = new TempDir();
        // cell × hidden × seq_len: line figures, per-factor panels, heatmaps and the paired comparison.
        var spec = TinySweep.Write(dir, "fontless", ["model.cell: [gru, lstm]", "model.hidden: [16, 24]", "data.seq_len: [8, 16]"], maxSteps: 6, checkpointEvery: 3);
        var run = OrchestratorCli.Run(dir.Path, "run", spec);
        Assert.True(run.ExitCode == 0, run.ToString());

        var withFonts = OrchestratorCli.Run(dir.Path, "report", "--out", "with-fonts");
        Assert.True(withFonts.ExitCode == 0, withFonts.ToString());
        var withoutFonts = WithoutSystemFonts(dir.Path, "report", "--out", "without-fonts");
        Assert.True(withoutFonts.ExitCode == 0, withoutFonts.ToString());

        var expected = Hashes(dir.File("with-fonts"));
        var actual = Hashes(dir.File("without-fonts"));
        Assert.Contains(expected.Keys, k => k.StartsWith("figures/", StringComparison.Ordinal));
        Assert.Equal(expected.Keys, actual.Keys);
        Assert.All(expected, kv => Assert.True(actual[kv.Key] == kv.Value, $"{kv.Key} differs between the report with system fonts and the one without"));

        foreach (var figure in Directory.GetFiles(dir.File("without-fonts/figures"), "*.png"))
        {
            var ink = TitleInk(figure);
            Assert.True(ink >= 40, $"{Path.GetFileName(figure)}: its title strip has {ink} text pixels; the title was not drawn");
        }
    }

    /// <summary>
    /// Runs the orchestrator in a private mount namespace where every system font folder is an empty tmpfs
    /// (as root, else in a user namespace). The shell first proves that no font file is visible.
    /// </summary>
    private static ProcessResult WithoutSystemFonts(string workDir, params string[] args)
    {
        var hide = string.Join(" && ", SystemFontFolders.Select(f => $"{{ [ ! -d {f} ] || mount -t tmpfs none {f}; }}"));
        var check = string.Join(" ", SystemFontFolders.Concat(["\"$HOME/.fonts\"", "\"$HOME/.local/share/fonts\""]));
        var script = $"{hide} && visible=$(find {check} -type f 2>/dev/null | head -1) && "
            + "if [ -n \"$visible\" ]; then echo \"a system font is still visible: $visible\" >&2; exit 97; fi && exec \"$@\"";
        var psi = ChildProcess.DotnetStartInfo(RepoPaths.OrchestratorDll, args, workDir);
        var unshare = new ProcessStartInfo("unshare")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true,
            UseShellExecute = false, WorkingDirectory = workDir,
        };
        foreach (var a in Environment.IsPrivilegedProcess ? ["-m"] : new[] { "-r", "-m" }) unshare.ArgumentList.Add(a);
        foreach (var a in new[] { "sh", "-c", script, "sh", psi.FileName }.Concat(psi.ArgumentList)) unshare.ArgumentList.Add(a);
        foreach (var (k, v) in psi.Environment) unshare.Environment[k] = v;
        var result = ChildProcess.Run(unshare, OrchestratorCli.DefaultTimeout);
        Assert.True(result.ExitCode != 97, result.ToString());
        return result;
    }

    /// <summary>Dark pixels in the strip above the plot area, where ScottPlot centres each panel's title.</summary>
    private static int TitleInk(string png)
    {
        using var bitmap = SKBitmap.Decode(png) ?? throw new InvalidDataException($"{png} does not decode");
        var strip = Math.Min(40, bitmap.Height / 12);
        var ink = 0;
        for (var y = 0; y < strip; y++)
            for (var x = 0; x < bitmap.Width; x++)
            {
                var c = bitmap.GetPixel(x, y);
                if (Math.Max(c.Red, Math.Max(c.Green, c.Blue)) < 110) ink++;
            }
        return ink;
    }

    private static SortedDictionary<string, string> Hashes(string folder) =>
        new(Directory.GetFiles(folder, "*", SearchOption.AllDirectories).ToDictionary(
            f => Path.GetRelativePath(folder, f).Replace('\\', '/'),
            f => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(f)))), StringComparer.Ordinal);
}
