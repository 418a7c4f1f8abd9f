using System.Text.Json;

namespace Core.Store;

/// <summary>
/// What a Runner leaves beside its trial's checkpoints when the database stayed away past the outage
/// window (<c>checkpoints/&lt;trial&gt;/interrupted-by-outage.json</c>): who held the trial (owner and
/// attempt), the checkpoint it saved to disk but could not record, with its probe, and the metric rows
/// it still held. Whoever reaches the database next (a rerun's scheduler before it claims, or the
/// orchestrator that started the Runner) hands it to <see cref="TrialRepository.ReleaseAfterOutage"/>:
/// in one transaction, fenced on that owner and attempt still holding the running trial, the rows are
/// recorded and the trial goes back to pending at once, its attempt closed as <c>interrupted</c> (not
/// failed), instead of waiting for its lease to run out. A marker whose owner no longer holds the trial
/// (another owner took it) records nothing and is removed. See docs/store.md, "When the database blinks".
/// </summary>
public sealed record OutageInterruption(
    string TrialId,
    string Owner,
    int Attempt,
    string Reason,
    int Epoch,
    long Step,
    CheckpointRow? Checkpoint,
    ProbeRow? Probe,
    IReadOnlyList<MetricRow> Metrics)
{
    /// <summary>The marker's file name, in the trial's checkpoint folder.</summary>
    public const string FileName = "interrupted-by-outage.json";

    /// <summary>The marker file of <paramref name="trialId"/> in <paramref name="db"/>'s checkpoint folder.</summary>
    public static string PathFor(Database db, string trialId) => Path.Combine(db.Folder, "checkpoints", trialId, FileName);

    /// <summary>Writes the marker (a temporary file, flushed, renamed into place), so a reader never sees half of one.</summary>
    public void Write(Database db)
    {
        var path = PathFor(db, TrialId);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + ".tmp";
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(file, this);
            file.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>The marker of <paramref name="trialId"/>, or null when there is none (or it cannot be read: then it is useless, and removed).</summary>
    public static OutageInterruption? Read(Database db, string trialId)
    {
        var path = PathFor(db, trialId);
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<OutageInterruption>(File.ReadAllText(path)) is { } m && m.TrialId == trialId ? m : Discard(path);
        }
        catch (JsonException)
        {
            return Discard(path);
        }
        catch (FileNotFoundException)
        {
            return null; // another process handled it meanwhile
        }
    }

    private static OutageInterruption? Discard(string path)
    {
        File.Delete(path);
        return null;
    }

    /// <summary>Removes the marker, if it is still this one (a newer attempt may have left another meanwhile).</summary>
    public void Remove(Database db)
    {
        if (Read(db, TrialId) is { } now && now.Owner == Owner && now.Attempt == Attempt) File.Delete(PathFor(db, TrialId));
    }

    /// <summary>
    /// Hands every marker left for the trials <paramref name="trialIds"/> to <see cref="TrialRepository.ReleaseAfterOutage"/>.
    /// Returns the trials that went back to pending.
    /// </summary>
    public static IReadOnlyList<string> ReleaseAll(Database db, IEnumerable<string> trialIds)
    {
        var trials = new TrialRepository(db);
        var released = new List<string>();
        foreach (var id in trialIds)
            if (Read(db, id) is { } marker && trials.ReleaseAfterOutage(marker))
                released.Add(id);
        return released;
    }
}
