using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using TestSupport;

namespace Orchestrator.Tests;

/// <summary>
/// bench/gpu-check.sh, the GPU check, run the way a user without a GPU runs it (--cpu-smoke), so that
/// the script cannot rot before it meets a GPU: every part it runs writes its figures to
/// DIR/figures.txt, and a check cut off in the middle keeps every figure measured before the cut.
/// Its sweeps run real Runners, so it runs alone, as the other sweep tests do.
/// </summary>
[Collection("sweeps")]
public sealed partial class GpuCheckSmokeTests
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(10);

    [Fact]
    public void The_cpu_smoke_check_writes_a_figure_per_part_to_figures_txt_the_logs_and_the_runs()
    {
        using var work = new TempDir("gpu-check");
        var dir = work.File("out");

        var r = ChildProcess.Run(GpuCheck(work, "--out", dir), HangGuard);

        Assert.True(r.ExitCode == 0, r.ToString());
        var figures = Figures(dir);
        Assert.Equal(["1", "2", "3a", "3b", "3c", "4", "5"], figures.Select(f => f.Part).Distinct());

        var doctor = Single(figures, "1", "doctor exit code");
        Assert.Equal(("0", "exit code", $"orchestrator doctor {dir}/specs/smoke.yaml (0: a run would work); log logs/1.log"), (doctor.Value, doctor.Unit, doctor.Basis));
        Assert.True(Number(Single(figures, "1", "doctor training step", "chars/s").Value) > 0);

        Assert.True(Number(Single(figures, "2", "runner chars/s", "chars/s").Value) > 0);
        Assert.True(Number(Single(figures, "2", "runner / bare TorchSharp loop", "x").Value) > 0);
        var pytorch = Single(figures, "2", "PyTorch plain loop chars/s", "chars/s");
        if (HasPyTorch()) Assert.True(Number(pytorch.Value) > 0, pytorch.ToString());
        else Assert.Equal(("n/a", "not measured: no PyTorch here (python3 -c 'import torch' fails)"), (pytorch.Value, pytorch.Basis));

        var sequential = Single(figures, "3a", "quick-smoke subset --parallel 1: wall", "s");
        Assert.Equal($"subset of {dir}/specs/smoke.yaml (data.seq_len [50]; specs/subset.yaml): 2/2 completed on cpu, exit 0; log logs/3a.log", sequential.Basis);
        var parallel = Single(figures, "3a", "quick-smoke subset --parallel 2: wall", "s");
        Assert.Equal("the same subset: 2/2 completed on cpu, exit 0; log logs/3a.log", parallel.Basis);
        var speedup = Single(figures, "3a", "speedup of --parallel 2 over 1", "x");
        Assert.Equal("wall at --parallel 1 / wall at --parallel 2, the same 2 trials of quick-smoke (data.seq_len [50])", speedup.Basis);
        var ratio = Number(sequential.Value) / Number(parallel.Value);
        Assert.InRange(Number(speedup.Value), ratio - 0.006, ratio + 0.006);

        var study = Single(figures, "3b", "quick-smoke --parallel 2: wall", "s");
        Assert.True(Number(study.Value) > 0);
        Assert.Equal($"{dir}/specs/smoke.yaml: 4/4 completed on cpu, exit 0; log logs/3b.log", study.Basis);

        Assert.Equal(new Figure("3c", "quick-smoke --parallel 2 with MPS: wall", "n/a", "s", "not measured: MPS shares a GPU, and --cpu-smoke runs on the CPU"),
            Assert.Single(figures, f => f.Part == "3c"));

        Assert.True(Number(Single(figures, "4", "checkpoints when killed", "checkpoints").Value) >= 2);
        var completed = Single(figures, "4", "trials completed after kill -9 and rerun", "trials");
        Assert.Equal("2", completed.Value);
        Assert.Matches(@"^of 2; 0 failed; the rerun took [0-9]+\.[0-9] s, exit 0; log logs/4\.log$", completed.Basis);
        Assert.Equal("0", Single(figures, "4", "duplicate metric keys", "keys").Value);
        Assert.InRange(Number(Single(figures, "4", "trials reclaimed after the kill", "trials").Value), 1, 2);

        var report = Single(figures, "5", "report figures", "figures");
        Assert.True(Number(report.Value) > 0);
        Assert.StartsWith("runs/5/report/report.md of runs/3b/orchestrator.db, exit 0; Ran on: 4 trials on cpu with libtorch ", report.Basis);
        Assert.Equal(int.Parse(report.Value, CultureInfo.InvariantCulture), Directory.GetFiles(Path.Combine(dir, "runs", "5", "report", "figures")).Length);

        // Each part's log and each run's database are under DIR, and the notes say how each part ended.
        foreach (var part in new[] { "1", "2", "3a", "3b", "3c", "4", "5" })
            Assert.True(File.Exists(Path.Combine(dir, "logs", part + ".log")), $"no logs/{part}.log");
        foreach (var run in new[] { "3a-parallel1", "3a-parallel2", "3b", "4" })
            Assert.True(File.Exists(Path.Combine(dir, "runs", run, "orchestrator.db")), $"no runs/{run}/orchestrator.db");
        Assert.Contains("sweep quick-smoke: 4 completed, 0 failed, 0 pending, 0 running (of 4)", File.ReadAllText(Path.Combine(dir, "logs", "3b.log")));
        var notes = Notes(dir);
        Assert.Equal(["1", "2", "3a", "3b", "3c", "4", "5"], notes.Select(n => EndedPart().Match(n)).Where(m => m.Success && m.Groups[2].Value == "passed").Select(m => m.Groups[1].Value));
        Assert.Equal("check ended: every part passed", notes[^1]);
    }

    [Fact]
    public void A_check_killed_in_the_middle_of_part_3_keeps_every_figure_it_measured_before()
    {
        using var work = new TempDir("gpu-check-cut");
        var dir = work.File("out");
        var figuresFile = Path.Combine(dir, "figures.txt");
        var psi = GpuCheck(work, "--steps", "1,3a,3b", "--out", dir);

        // As a slot's time limit would: kill -9 of the check and everything it started, here once part 3a
        // has measured its --parallel 1 run and started its --parallel 2 one.
        using (var check = new OrchestratorCli.Background(OrchestratorCli.InOwnGroup(psi)))
        {
            check.WaitUntil(() => File.Exists(figuresFile) && File.ReadAllText(figuresFile).Contains("\n3a\tquick-smoke subset --parallel 1: wall\t", StringComparison.Ordinal),
                HangGuard, "part 3a's first figure");
            check.KillGroup();
        }

        var text = File.ReadAllText(figuresFile);
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        var figures = Figures(dir);
        Assert.Equal([("1", "doctor exit code"), ("1", "doctor training step"), ("3a", "quick-smoke subset --parallel 1: wall")],
            figures.Select(f => (f.Part, f.Name)));
        Assert.Equal("0", figures[0].Value);
        Assert.True(Number(figures[1].Value) > 0 && Number(figures[2].Value) > 0, text);
        Assert.Equal($"subset of {dir}/specs/smoke.yaml (data.seq_len [50]; specs/subset.yaml): 2/2 completed on cpu, exit 0; log logs/3a.log", figures[2].Basis);

        // The notes show where it was cut: part 1 ended, part 3a started and never ended, 3b never started.
        var notes = Notes(dir);
        Assert.Contains("1 ended after", string.Join('\n', notes), StringComparison.Ordinal);
        Assert.StartsWith("3a started", notes[^1], StringComparison.Ordinal);
        Assert.Contains("sweep quick-smoke-subset: 2 completed, 0 failed, 0 pending, 0 running (of 2)", File.ReadAllText(Path.Combine(dir, "logs", "3a.log")));
        Assert.True(File.Exists(Path.Combine(dir, "runs", "3a-parallel1", "orchestrator.db")));
        Assert.False(File.Exists(Path.Combine(dir, "logs", "3b.log")));
    }

    private sealed record Figure(string Part, string Name, string Value, string Unit, string Basis);

    /// <summary>`bash bench/gpu-check.sh --cpu-smoke ARGS`, run from a folder holding experiments/ and data/ (as .gpu/run.sh's is), with the built orchestrator and RunnerBench.</summary>
    private static ProcessStartInfo GpuCheck(TempDir work, params string[] args)
    {
        var corpus = RepoPaths.Shakespeare ?? throw new Xunit.Sdk.XunitException(
            "the real corpus is absent: put tinyshakespeare.txt under data/ (see README, \"The corpus\")");
        var from = work.File("work");
        Directory.CreateDirectory(Path.Combine(from, "data"));
        Directory.CreateDirectory(Path.Combine(from, "experiments"));
        File.Copy(corpus, Path.Combine(from, "data", "tinyshakespeare.txt"));
        foreach (var spec in Directory.GetFiles(Path.Combine(RepoPaths.Root, "experiments"), "*.yaml"))
            File.Copy(spec, Path.Combine(from, "experiments", Path.GetFileName(spec)));
        var runnerBench = Path.Combine(RepoPaths.Root, "bench", "RunnerBench", "bin", RepoPaths.Configuration, "net10.0");

        var psi = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true,
            UseShellExecute = false, WorkingDirectory = from,
        };
        foreach (var a in (string[])[Path.Combine(RepoPaths.Root, "bench", "gpu-check.sh"), "--cpu-smoke",
                     "--orchestrator", RepoPaths.OrchestratorDll, "--runnerbench", runnerBench, .. args])
            psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        return psi;
    }

    /// <summary>figures.txt's figures: every line not starting with #, five tab-separated fields.</summary>
    private static List<Figure> Figures(string dir) =>
        File.ReadAllLines(Path.Combine(dir, "figures.txt")).Where(l => !l.StartsWith('#')).Select(l =>
        {
            var f = l.Split('\t');
            Assert.True(f.Length == 5, $"not five tab-separated fields: {l}");
            return new Figure(f[0], f[1], f[2], f[3], f[4]);
        }).ToList();

    /// <summary>figures.txt's notes (the # lines after the header), without their "# HH:MM:SSZ " prefix.</summary>
    private static List<string> Notes(string dir) =>
        File.ReadAllLines(Path.Combine(dir, "figures.txt")).Select(l => NotePrefix().Match(l)).Where(m => m.Success).Select(m => m.Groups[1].Value).ToList();

    private static Figure Single(List<Figure> figures, string part, string name, string? unit = null)
    {
        var figure = Assert.Single(figures, f => f.Part == part && f.Name == name);
        if (unit is not null) Assert.Equal(unit, figure.Unit);
        return figure;
    }

    private static double Number(string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : throw new Xunit.Sdk.XunitException($"'{value}' is not a number");

    private static bool HasPyTorch()
    {
        try { return ChildProcess.Run(new ProcessStartInfo("python3", ["-c", "import torch"]) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true }, TimeSpan.FromMinutes(1)).ExitCode == 0; }
        catch (System.ComponentModel.Win32Exception) { return false; } // no python3 at all
    }

    [GeneratedRegex(@"^# [0-9]{2}:[0-9]{2}:[0-9]{2}Z (.*)$")]
    private static partial Regex NotePrefix();

    [GeneratedRegex(@"^(\S+) ended after [0-9]+\.[0-9] s: (passed|FAILED.*)$")]
    private static partial Regex EndedPart();
}
