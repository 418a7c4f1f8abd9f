using Core.Data;
using Core.Store;
using Runner.Model;
using TorchSharp.Modules;

namespace Runner.Checkpoints;

/// <summary>
/// Checkpoint files under <c>&lt;db folder&gt;/checkpoints/&lt;trial&gt;/</c> and their rows in the store.
/// A checkpoint is written to a temporary file, flushed to disk, renamed into place, hashed and only
/// then recorded, so a recorded checkpoint always names a whole file; on reading, a file whose sha256
/// differs from the recorded one is not trusted.
/// </summary>
internal sealed class CheckpointStore(Database db)
{
    private readonly ResultRepository _results = new(db);
    private readonly TrialRepository _trials = new(db);

    public string FolderOf(string trialId) => Path.Combine(db.Folder, "checkpoints", trialId);

    /// <summary>
    /// Writes the checkpoint's file (temporary file, flushed, renamed) and then records its row with
    /// its sha256; with <paramref name="owner"/> only while that owner holds the running trial (fenced).
    /// Returns null when the row was not recorded because another owner holds the trial.
    /// </summary>
    public CheckpointRow? Save(CheckpointMeta meta, CharRnn model, OptimizerHelper optimizer, string? owner = null)
    {
        var row = WriteFile(meta, model, optimizer);
        return _results.RecordCheckpoint(row, owner) ? row : null;
    }

    /// <summary>Writes the checkpoint's file only (temporary file, flushed, renamed) and returns the row that would record it.</summary>
    public CheckpointRow WriteFile(CheckpointMeta meta, CharRnn model, OptimizerHelper optimizer)
    {
        var folder = FolderOf(meta.TrialId);
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"{meta.Name}.ckpt");
        var temp = $"{path}.tmp";
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 20))
        {
            CheckpointFile.Write(file, meta, model, optimizer);
            file.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
        var row = new CheckpointRow
        {
            TrialId = meta.TrialId,
            Name = meta.Name,
            Epoch = meta.Position.Epoch,
            Step = meta.Position.Step,
            Path = db.Relativize(path),
            Sha256 = FileHash.Sha256(path),
            Bytes = new FileInfo(path).Length,
            CreatedAt = meta.CreatedAt,
        };
        return row;
    }

    /// <summary>Why the checkpoint's file cannot be trusted, or null if it exists and its sha256 matches the store.</summary>
    public string? Problem(CheckpointRow row)
    {
        var path = db.Resolve(row.Path);
        if (!File.Exists(path)) return $"its file {path} is missing";
        var actual = FileHash.Sha256(path);
        return actual == row.Sha256 ? null : $"its file {path} has sha256 {actual}, but {row.Sha256} was recorded (truncated or altered)";
    }

    /// <summary>Reads a checkpoint after verifying it; throws <see cref="BadInputException"/> if it cannot be trusted.</summary>
    public CheckpointFile Read(CheckpointRow row)
    {
        if (Problem(row) is { } problem) throw new BadInputException($"checkpoint {row.Name} of trial {row.TrialId} cannot be used: {problem}");
        var file = CheckpointFile.Read(db.Resolve(row.Path));
        // A trial that continues another one (a larger train.epochs) names that trial's files for its first epochs.
        var owner = file.Meta.TrialId == row.TrialId || _trials.Lineage(row.TrialId).Contains(file.Meta.TrialId);
        if (!owner || file.Meta.Name != row.Name || file.Meta.Position.Step != row.Step)
            throw new BadInputException($"checkpoint {row.Name} of trial {row.TrialId}: the file holds {file.Meta.Name} of trial {file.Meta.TrialId} at step {file.Meta.Position.Step}");
        return file;
    }

    /// <summary>The newest checkpoint of the trial that verifies and parses; bad ones are reported through <paramref name="skipped"/> and passed over.</summary>
    public (CheckpointRow Row, CheckpointFile File)? NewestValid(string trialId, Action<string> skipped)
    {
        foreach (var row in _results.Checkpoints(trialId))
        {
            try
            {
                return (row, Read(row));
            }
            catch (BadInputException e)
            {
                skipped($"skipping {e.Message}");
            }
        }
        return null;
    }
}
