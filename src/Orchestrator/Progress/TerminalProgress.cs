using System.Diagnostics;
using System.Text;
using Core.Contract;
using Core.Store;
using Orchestrator.Execution;
using Orchestrator.Scheduling;

namespace Orchestrator.Progress;

/// <summary>
/// The live display on a terminal: the <see cref="ProgressBoard"/> redrawn in place a few times a
/// second, sized to the terminal each time (so it neither wraps nor outgrows the screen); retries,
/// failures, warnings and waits are printed above it, in full. Dispose it to draw the last board
/// and leave it on the screen; what is printed next goes below it.
/// </summary>
internal sealed class TerminalProgress : ISweepObserver, IDisposable
{
    private static readonly TimeSpan Refresh = TimeSpan.FromMilliseconds(200);

    private readonly ProgressBoard _board;
    private readonly Stream _out;
    private readonly Lock _lock = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Timer _timer;
    private List<string> _drawn = [];
    private int _drawnWidth;
    private long _tick;
    private bool _dirty = true;
    private bool _disposed;

    /// <param name="toRun">The trials this run set out to run, as it announced them.</param>
    public TerminalProgress(string sweep, TrialLabels labels, int toRun)
    {
        _board = new ProgressBoard(sweep, labels, toRun);
        _out = Console.OpenStandardOutput();
        _timer = new Timer(_ => Tick(), null, TimeSpan.Zero, Refresh);
    }

    public void Claimed(TrialRow trial) => Change(() => _board.Claimed(trial.TrialId, trial.Attempt));

    public void Progress(string trialId, RunnerEvent e) => Change(() => _board.Progress(trialId, e));

    public void Retrying(string trialId, int attempt, TrialExit exit, int retry, int retries, TimeSpan delay)
    {
        Change(() => _board.Retrying(trialId, retry, retries, delay));
        Above($"{trialId}: attempt {attempt} {exit.Summary}; retry {retry} of {retries} in {delay.TotalSeconds:0.0} s", Ansi.Yellow);
    }

    public void Finished(TrialOutcome o)
    {
        Change(() => _board.Finished(o));
        if (o.Result == TrialResult.Failed) Above($"{o.TrialId} failed: {(o.Reason ?? "").Split('\n')[0]}", Ansi.Red);
    }

    public void Waiting(IReadOnlyList<TrialRow> heldByOthers) =>
        Above($"waiting for {heldByOthers.Count} trial(s) running under other orchestrators: {string.Join(", ", heldByOthers.Select(t => $"{t.TrialId} ({t.Owner})"))}", Ansi.Grey);

    public void Warning(string trialId, string message) => Above($"{trialId}: {message}", Ansi.Yellow);

    /// <summary>A message of the run's own (a stop being asked for), above the board.</summary>
    public void Message(string message) => Above(message, Ansi.Yellow);

    private void Change(Action change)
    {
        lock (_lock)
        {
            change();
            _dirty = true;
        }
    }

    private void Tick()
    {
        lock (_lock)
        {
            if (_disposed) return;
            _tick++;
            if (_dirty || _board.AnyActive) Draw(message: null);
        }
    }

    /// <summary>Prints a message above the board, then the board again below it.</summary>
    private void Above(string message, string color)
    {
        lock (_lock)
        {
            if (_disposed) Console.Out.WriteLine(message);
            else Draw($"{color}{message}{Ansi.Reset}");
        }
    }

    /// <summary>Moves to the board's first line, clears to the end of the screen, writes the message (if any) and the board.</summary>
    private void Draw(string? message)
    {
        var (width, height) = TerminalSize();
        var sb = new StringBuilder();
        var rows = _drawn.Sum(line => RowsOf(line, width));
        if (rows > 0) sb.Append('\r').Append(Ansi.Up(rows)).Append(Ansi.ClearBelow);
        if (message is not null) sb.Append(message).Append('\n');
        var lines = _board.Lines(width, height, _clock.Elapsed, _tick);
        foreach (var line in lines) sb.Append(Ansi.Tone(line.Tone)).Append(line.Text).Append(Ansi.Reset).Append('\n');
        // One write for the whole frame, so the terminal never shows half of it.
        _out.Write(Encoding.UTF8.GetBytes(sb.ToString()));
        _out.Flush();
        _drawn = lines.Select(l => l.Text).ToList();
        _drawnWidth = width;
        _dirty = false;
    }

    /// <summary>The screen rows a line drawn earlier takes now: more than one if the terminal became narrower than it.</summary>
    private int RowsOf(string line, int width) =>
        width >= _drawnWidth || line.Length < width ? 1 : (line.Length + width - 1) / width;

    private static (int Width, int Height) TerminalSize()
    {
        try
        {
            var (w, h) = (Console.WindowWidth, Console.WindowHeight);
            return (w > 0 ? w : 80, h > 0 ? h : 24);
        }
        catch (IOException)
        {
            return (80, 24);
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed) return;
            Draw(message: null);
            _disposed = true;
        }
        _timer.Dispose();
        _out.Dispose();
    }

    private static class Ansi
    {
        public const string Reset = "\u001b[0m";
        public const string Red = "\u001b[31m";
        public const string Yellow = "\u001b[33m";
        public const string Grey = "\u001b[90m";
        public const string ClearBelow = "\u001b[J";

        public static string Up(int rows) => $"\u001b[{rows}A";

        public static string Tone(BoardTone tone) => tone switch
        {
            BoardTone.Header => "\u001b[1m",
            BoardTone.Done => "\u001b[32m",
            BoardTone.Failed => Red,
            BoardTone.Paused => Grey,
            _ => "",
        };
    }
}
