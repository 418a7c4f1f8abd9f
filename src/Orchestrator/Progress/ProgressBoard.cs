using System.Globalization;
using Core.Contract;
using Orchestrator.Scheduling;

namespace Orchestrator.Progress;

/// <summary>One line of the board: its text, which never exceeds the width it was laid out for, and how it is shown.</summary>
internal sealed record BoardLine(string Text, BoardTone Tone);

internal enum BoardTone { Plain, Header, Done, Failed, Paused }

/// <summary>
/// What the live display shows, laid out for a terminal of a given size: a header line (the sweep,
/// how many of the trials to run are done, running and failed, and the time so far), then one line
/// per trial this run claimed, in the order it claimed them: a mark, its grid values, a bar, the
/// percentage and what it does now (epoch, loss, ETA, characters/s; or how it ended). No line is
/// as wide as the terminal (so none wraps): the grid values are cut to a third of it, the details
/// drop what does not fit. When the trials do not fit the height, the running ones are shown and as
/// many of the most recently finished as fit; one line counts the others. Not thread-safe: the
/// display locks around it.
/// </summary>
internal sealed class ProgressBoard(string sweep, TrialLabels labels, int toRun)
{
    private static readonly string Spinner = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏";
    private const int BarWidth = 10;

    private enum State { Starting, Running, Retrying, Completed, Failed, Interrupted, Requeued, LeaseLost, Stopped }

    private sealed class Row(string trialId, string label, int order)
    {
        public string TrialId { get; } = trialId;
        public string Label { get; } = label;
        public int Order { get; } = order;
        public TrialTracker Tracker { get; set; } = new();
        public State State { get; set; } = State.Starting;
        public string? Note { get; set; }
        public long Finished { get; set; }

        public bool Active => State is State.Starting or State.Running or State.Retrying;
    }

    private readonly Dictionary<string, Row> _rows = [];
    private long _finishedSeq;

    public void Claimed(string trialId, int attempt)
    {
        if (!_rows.TryGetValue(trialId, out var row)) _rows[trialId] = row = new Row(trialId, labels[trialId], _rows.Count);
        row.Tracker = new TrialTracker { Attempt = attempt };
        row.State = State.Starting;
        row.Note = attempt > 1 ? $"attempt {attempt}" : null;
    }

    public void Progress(string trialId, RunnerEvent e)
    {
        if (!_rows.TryGetValue(trialId, out var row)) return;
        row.Tracker.Apply(e);
        row.State = State.Running;
        row.Note = e switch
        {
            StartEvent s when s.ResumedStep > 0 => $"resumed at step {s.ResumedStep}",
            CheckpointEvent c => $"saved {c.Name}",
            StepEvent => null,
            _ => row.Note,
        };
    }

    public void Retrying(string trialId, int retry, int retries, TimeSpan delay)
    {
        if (!_rows.TryGetValue(trialId, out var row)) return;
        row.State = State.Retrying;
        row.Note = $"retry {retry}/{retries} in {delay.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)}s";
    }

    public void Finished(TrialOutcome o)
    {
        if (!_rows.TryGetValue(o.TrialId, out var row)) return;
        row.State = o.Result switch
        {
            TrialResult.Completed => State.Completed,
            TrialResult.Failed => State.Failed,
            TrialResult.Interrupted => State.Interrupted,
            TrialResult.Requeued => State.Requeued,
            TrialResult.Stopped => State.Stopped,
            _ => State.LeaseLost,
        };
        row.Note = o.Result switch
        {
            TrialResult.Completed => double.IsFinite(row.Tracker.ValLoss) ? $"val loss {Figures.Num(row.Tracker.ValLoss)}" : null,
            TrialResult.Failed => (o.Reason ?? "").Split('\n')[0],
            TrialResult.Stopped => double.IsFinite(row.Tracker.ValLoss) ? $"at epoch {row.Tracker.Epoch}, val loss {Figures.Num(row.Tracker.ValLoss)}" : null,
            _ => null,
        };
        row.Finished = ++_finishedSeq;
    }

    /// <summary>Whether a trial is under way (its line moves: spinner, ETA).</summary>
    public bool AnyActive => _rows.Values.Any(r => r.Active);

    /// <summary>The board for a terminal of <paramref name="width"/> × <paramref name="height"/>; <paramref name="tick"/> turns the spinner.</summary>
    public IReadOnlyList<BoardLine> Lines(int width, int height, TimeSpan elapsed, long tick)
    {
        var w = Math.Max(20, width - 1); // a line as wide as the terminal would wrap in some terminals
        var maxLines = Math.Max(3, height - 4); // room above for the lines before it and for messages, and the cursor's line below
        var rows = _rows.Values.OrderBy(r => r.Order).ToList();
        var completed = rows.Count(r => r.State is State.Completed or State.Stopped);
        var failed = rows.Count(r => r.State == State.Failed);
        var running = rows.Count(r => r.Active);
        var lines = new List<BoardLine>
        {
            new(Fit($"sweep {sweep}: {completed} of {toRun} done, {running} running, {failed} failed · {Figures.Duration(elapsed)}", w), BoardTone.Header),
        };

        var shown = rows;
        var room = maxLines - 1;
        if (rows.Count > room)
        {
            // The running trials always; then the most recently finished; one line says what is left out.
            var keep = rows.Where(r => r.Active).Take(room - 1).ToHashSet();
            foreach (var r in rows.Where(r => !r.Active).OrderByDescending(r => r.Finished))
            {
                if (keep.Count >= room - 1) break;
                keep.Add(r);
            }
            shown = rows.Where(keep.Contains).ToList();
        }
        var labelWidth = Math.Clamp(rows.Count == 0 ? 0 : rows.Max(r => r.Label.Length), 8, Math.Max(8, w / 3));
        lines.AddRange(shown.Select(r => Line(r, w, labelWidth, tick)));
        var hidden = rows.Except(shown).ToList();
        if (hidden.Count > 0)
        {
            var by = hidden.GroupBy(r => Word(r.State)).Select(g => $"{g.Count()} {g.Key}");
            lines.Add(new BoardLine(Fit($"  … {hidden.Count} more: {string.Join(", ", by)}", w), BoardTone.Paused));
        }
        return lines;
    }

    private static BoardLine Line(Row r, int w, int labelWidth, long tick)
    {
        var t = r.Tracker;
        var fraction = r.State == State.Completed ? 1.0 : t.TotalSteps > 0 ? Math.Clamp((double)t.Step / t.TotalSteps, 0, 1) : 0;
        var filled = (int)Math.Round(fraction * BarWidth);
        var mark = r.State switch
        {
            State.Running => Spinner[(int)(tick % Spinner.Length)],
            State.Completed => '✓',
            State.Stopped => '■',
            State.Failed => '✗',
            State.Retrying => '↻',
            State.Starting => '·',
            _ => '‖',
        };
        var head = $"{mark} {Fit(r.Label, labelWidth).PadRight(labelWidth)} {new string('█', filled)}{new string('░', BarWidth - filled)} "
                   + $"{(int)Math.Floor(fraction * 100),3}%";
        var details = new List<string>();
        switch (r.State)
        {
            case State.Running:
                if (t.TotalSteps > 0)
                {
                    details.Add($"ep {t.Epoch}/{t.Epochs}");
                    details.Add($"loss {Figures.Num(t.Loss, "0.000")}");
                    if (t.Eta is { } eta) details.Add($"ETA {Figures.Duration(eta)}");
                    details.Add($"{Figures.Rate(t.CharsPerSec)} ch/s");
                }
                break;
            case State.Starting:
                details.Add("starting");
                break;
            default:
                details.Add(Word(r.State));
                break;
        }
        if (r.Note is { } note) details.Insert(r.State == State.Running ? details.Count : 1, note);
        if (t.Attempt > 1 && r.State == State.Running) details.Insert(0, $"attempt {t.Attempt}");

        // Whole details while they fit; the first one cut to what is left rather than none at all.
        var text = head;
        foreach (var d in details)
        {
            if (text.Length + 2 + d.Length <= w) text += "  " + d;
            else
            {
                if (text == head && w - text.Length - 2 >= 2) text += "  " + Fit(d, w - text.Length - 2);
                break;
            }
        }
        var tone = r.State switch
        {
            State.Completed => BoardTone.Done,
            State.Failed => BoardTone.Failed,
            State.Running or State.Starting => BoardTone.Plain,
            _ => BoardTone.Paused,
        };
        return new BoardLine(Fit(text, w), tone);
    }

    private static string Word(State s) => s switch
    {
        State.Completed => "completed",
        State.Failed => "failed",
        State.Interrupted => "interrupted",
        State.Requeued => "pending again (out of memory)",
        State.LeaseLost => "lease lost",
        State.Stopped => "stopped early",
        State.Retrying => "retrying",
        State.Starting => "starting",
        _ => "running",
    };

    /// <summary><paramref name="text"/> cut to <paramref name="width"/> characters, the last one an ellipsis when it was cut.</summary>
    public static string Fit(string text, int width) =>
        text.Length <= width ? text : width <= 1 ? text[..Math.Max(0, width)] : text[..(width - 1)] + "…";
}
