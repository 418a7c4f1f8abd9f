using System.Diagnostics;
using System.Reflection;
using System.Text.Json.Serialization;
using Core.Contract;
using Core.Spec;
using TestSupport;

namespace Orchestrator.Tests;

/// <summary>
/// The process contract between the real Runner and the orchestrator (docs/contract.md): every
/// progress line the Runner prints, in a run that covers every event kind, parses into the
/// orchestrator's records and formats back to the very same line, so no field is lost or invented
/// on either side.
/// </summary>
[Collection("sweeps")]
public sealed class ProcessContractTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    private static string Trial(string corpus = "corpus.txt", double lr = 0.01) => $"""
        data: {"{"} path: '{corpus}', seq_len: 16 {"}"}
        model: {"{"} cell: gru, embedding: 8, hidden: 16 {"}"}
        train: {"{"} batch_size: 8, epochs: 2, max_steps: 12, lr: {lr.ToString(System.Globalization.CultureInfo.InvariantCulture)}, log_every: 2, checkpoint_every: 4, val_batches: 2, seed: 7 {"}"}
        sample: {"{"} prime: JULIET, length: 20 {"}"}

        """;

    [Fact]
    public void Every_line_the_real_runner_prints_parses_into_the_shared_events_and_formats_back_unchanged()
    {
        using var dir = new TempDir("contract");
        File.WriteAllText(dir.File("corpus.txt"), Corpora.Generate(20_000));
        var lines = new List<string>();

        // Killed after its first checkpoint; the newest checkpoint is then damaged. The next run
        // warns that it skips it, resumes from the one before, and completes.
        dir.Write("good.yaml", Trial());
        var trialId = SpecLoader.LoadTrial(dir.File("good.yaml")).Id();
        using (var first = Start(dir.Path, "good.yaml"))
        {
            var seen = ReadUntil(first, l => l.Contains("\"event\":\"checkpoint\"", StringComparison.Ordinal) && l.Contains("step_8", StringComparison.Ordinal));
            first.Kill();
            first.WaitForExit();
            lines.AddRange(seen);
        }
        File.AppendAllText(dir.File($"results/checkpoints/{trialId}/step_8.ckpt"), "damage");
        var resumed = Run(dir.Path, "good.yaml");
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Contains("runner: warning: skipping checkpoint step_8", resumed.StdErr);
        lines.AddRange(Lines(resumed));

        // Failures of each kind a Runner can meet here: bad input, divergence, a crash.
        dir.Write("missing.yaml", Trial(corpus: "nowhere.txt"));
        dir.Write("diverges.yaml", Trial(lr: 1e37));
        dir.Write("crashes.yaml", Trial().Replace("seed: 7", "seed: 8", StringComparison.Ordinal));
        dir.Write($"results/checkpoints/{SpecLoader.LoadTrial(dir.File("crashes.yaml")).Id()}", "a file where the checkpoint folder belongs");
        foreach (var (file, code) in new[] { ("missing.yaml", 2), ("diverges.yaml", 3), ("crashes.yaml", 1) })
        {
            var failed = Run(dir.Path, file);
            Assert.True(failed.ExitCode == code, failed.ToString());
            lines.AddRange(Lines(failed));
        }

        var events = lines.Select(line =>
        {
            var e = ProgressLine.TryParse(line);
            Assert.True(e is not null, $"the orchestrator could not read the Runner's line {line}");
            Assert.Equal(line, ProgressLine.Format(e));
            return e;
        }).ToList();

        var kinds = typeof(RunnerEvent).GetCustomAttributes<JsonDerivedTypeAttribute>().Select(a => a.DerivedType);
        Assert.Equal(kinds.Select(k => k.Name).Order(), events.Select(e => e.GetType().Name).Distinct().Order());
        var failures = events.OfType<FailureEvent>().ToList();
        Assert.Equal([FailureKind.BadInput, FailureKind.Diverged, FailureKind.Crashed], failures.Select(f => f.Kind));
        Assert.All(failures, f => Assert.DoesNotContain("\n", f.Message));
        Assert.StartsWith("IOException: ", failures[2].Message);
        var start = events.OfType<StartEvent>().Last(s => s.Trial == trialId);
        Assert.Equal(4, start.ResumedStep);
    }

    private static ProcessStartInfo Info(string dir, string trialFile) =>
        ChildProcess.DotnetStartInfo(RealRunner.Dll, ["train", "--config", trialFile, "--db", "results/o.db", "--threads", "1", "--flush-seconds", "0"], dir);

    private static ProcessResult Run(string dir, string trialFile) => ChildProcess.Run(Info(dir, trialFile), Patience);

    private static Process Start(string dir, string trialFile)
    {
        var p = Process.Start(Info(dir, trialFile))!;
        p.StandardInput.Close();
        _ = p.StandardError.ReadToEndAsync();
        return p;
    }

    /// <summary>The progress lines of a running Runner up to the first that satisfies <paramref name="last"/>.</summary>
    private static List<string> ReadUntil(Process p, Func<string, bool> last)
    {
        var lines = new List<string>();
        var reading = Task.Run(() =>
        {
            while (p.StandardOutput.ReadLine() is { } line)
            {
                if (!line.StartsWith(ProgressLine.Prefix, StringComparison.Ordinal)) continue;
                lines.Add(line);
                if (last(line)) return true;
            }
            return false;
        });
        Assert.True(reading.Wait(Patience) && reading.Result, $"the Runner ended or stalled before the awaited line; it printed:\n{string.Join('\n', lines)}");
        return lines;
    }

    private static IEnumerable<string> Lines(ProcessResult r) =>
        r.StdOut.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.StartsWith(ProgressLine.Prefix, StringComparison.Ordinal));
}
