using System.Diagnostics;
using System.Text.RegularExpressions;
using Core.Store;
using TestSupport;

namespace Orchestrator.Tests;

/// <summary>
/// The live display as a user sees it in an 80×24 terminal: `run` in a real pseudo-terminal
/// (tmux, which also keeps the screen as a terminal shows it), with more trials than the screen
/// has rows and grid values too long for their column. The screen is read many times while the
/// sweep runs, and at its end.
/// </summary>
[Collection("sweeps")]
[Trait("Needs", "tmux")]
public sealed partial class TerminalDisplayTests
{
    private const int Columns = 80;
    private const int Rows = 24;
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(6);

    [Fact]
    public void At_80_by_24_every_trial_keeps_one_line_that_fits_the_header_stays_and_the_end_names_the_best_configuration()
    {
        using var dir = new TempDir();
        // 22 trials, two at a time, a few steps each; "gru hidden=16 seq_len=12 lr=0.01" is longer than a third of the width.
        var spec = TinySweep.Write(dir, "screen", ["model.cell: [gru]", "model.hidden: [16, 24]", "data.seq_len: [8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28]", "train.lr: [0.01]"],
            epochs: 1, maxSteps: 8, checkpointEvery: 4, parallel: 2);
        using var terminal = new Tmux(dir.Path, Columns, Rows, $"dotnet {Quote(RepoPaths.OrchestratorDll)} run {Quote(spec)}; echo \"exit $?\"; sleep 600");

        var screens = new List<string[]>();
        var clock = Stopwatch.StartNew();
        string[] screen;
        do
        {
            Assert.True(clock.Elapsed < Patience, $"the run did not end within {Patience}; the screen:\n{string.Join('\n', terminal.Screen())}");
            Thread.Sleep(150);
            screen = terminal.Screen();
            screens.Add(screen);
        } while (!screen.Any(l => ExitLine().IsMatch(l)));

        // The screens while the board is live: it is there, and the run's last lines are not yet.
        var boards = screens.Where(s => s.Any(l => Header().IsMatch(l)) && !s.Any(l => l.StartsWith("sweep screen: 22 completed", StringComparison.Ordinal))).ToList();
        Assert.True(boards.Count >= 5, $"the board was seen {boards.Count} time(s) while the sweep ran");
        var elided = 0;
        foreach (var s in boards)
        {
            var shown = string.Join('\n', s);
            // One header, and under it only the board: one line per trial, then at most one line for those left out; nothing after it but blank rows.
            Assert.True(s.Count(l => Header().IsMatch(l)) == 1, shown);
            var top = Array.FindIndex(s, l => Header().IsMatch(l));
            var below = s.Skip(top + 1).TakeWhile(l => l.Trim().Length > 0).ToList();
            var trials = below.Where(l => TrialLine().IsMatch(l)).ToList();
            var more = below.Where(l => MoreLine().IsMatch(l)).ToList();
            Assert.True(trials.Count + more.Count == below.Count, $"a line under the header is neither a trial nor the count of those left out:\n{shown}");
            Assert.True(more.Count <= 1 && (more.Count == 0 || below[^1] == more[0]), shown);
            Assert.True(s.Skip(top + 1 + below.Count).All(l => l.Trim().Length == 0), $"something under the board:\n{shown}");
            // Nothing wraps: each line is shorter than the terminal; each trial is on one line, once.
            Assert.All(below.Prepend(s[top]), l => Assert.True(l.TrimEnd().Length < Columns, $"a board line as wide as the terminal (it wraps):\n{shown}"));
            var labels = trials.Select(l => TrialLine().Match(l).Groups["label"].Value).ToList();
            Assert.True(labels.Count == labels.Distinct().Count(), $"a trial on two lines:\n{shown}");
            // Grid values longer than their column are cut with an ellipsis, never wrapped.
            Assert.All(labels, label => Assert.EndsWith("…", label.TrimEnd()));
            if (more.Count == 1) elided++;
        }
        // At some point more trials had run than the board has room for, and it said how many it left out.
        Assert.True(elided > 0, "the board never left a trial out, though 22 do not fit 24 rows");

        // The end: the board, then the counts, the winning configuration and the exit code as the last lines.
        var last = screen.Select(l => l.TrimEnd()).Where(l => l.Length > 0).ToList();
        var store = new StoreProbe(dir.File("results/orchestrator.db"));
        var best = store.Query<(string TrialId, string Cell, long Hidden, long SeqLen, double Loss)>(
            "SELECT trial_id, cell, hidden, seq_len, best_val_loss FROM trial_summary WHERE sweep = 'screen' ORDER BY best_val_loss LIMIT 1").Single();
        Assert.Equal([
            "sweep screen: 22 completed, 0 failed, 0 pending, 0 running (of 22)",
            $"best: {best.TrialId} (gru, hidden {best.Hidden}, seq_len {best.SeqLen}, lr 0.01), val loss {best.Loss.ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture)}",
            "exit 0",
        ], last[^3..]);
        Assert.Matches(@"^sweep screen: 22 of 22 done, 0 running, 0 failed · ", last.Single(l => Header().IsMatch(l)));
        Assert.All(store.Trials("screen"), t => Assert.Equal(TrialStates.Completed, t.State));
    }

    private static string Quote(string path) => "'" + path.Replace("'", "'\\''") + "'";

    [GeneratedRegex(@"^sweep screen: \d+ of 22 done, \d+ running, \d+ failed · ")]
    private static partial Regex Header();

    /// <summary>A trial's line: a mark, its grid values in a 26-column field, a 10-cell bar and the percentage.</summary>
    [GeneratedRegex(@"^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏✓✗↻·‖] (?<label>.{26}) [█░]{10} +\d{1,3}%")]
    private static partial Regex TrialLine();

    [GeneratedRegex(@"^  … \d+ more: ")]
    private static partial Regex MoreLine();

    [GeneratedRegex(@"^exit \d+$")]
    private static partial Regex ExitLine();

    /// <summary>A tmux session of its own (its own server socket) running one command in a terminal of the given size.</summary>
    private sealed class Tmux : IDisposable
    {
        private readonly string _socket = $"orchestrator-test-{Guid.NewGuid():N}";

        public Tmux(string workDir, int columns, int rows, string command)
        {
            if (!File.Exists("/usr/bin/tmux"))
                throw new Xunit.Sdk.XunitException("this test runs the orchestrator in a real terminal with tmux: install it (apt-get install tmux; ./test does)");
            Run("new-session", "-d", "-s", "run", "-x", columns.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "-y", rows.ToString(System.Globalization.CultureInfo.InvariantCulture), "-c", workDir, command);
        }

        /// <summary>The screen as the terminal shows it now, one string per row.</summary>
        public string[] Screen() => Run("capture-pane", "-p", "-t", "run").Split('\n')[..Rows];

        private string Run(params string[] args)
        {
            var result = ChildProcess.Run(new ProcessStartInfo("tmux", ["-L", _socket, .. args])
            {
                RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
            }, TimeSpan.FromSeconds(30));
            if (result.ExitCode != 0) throw new Xunit.Sdk.XunitException($"tmux {string.Join(' ', args)}: {result}");
            return result.StdOut;
        }

        public void Dispose() => Run("kill-server");
    }
}
