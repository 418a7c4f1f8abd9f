using System.Data;
using Dapper;

namespace Core.Store;

/// <summary>
/// A new trial that starts from a recorded, completed trial differing from it only in train.epochs:
/// it takes that trial's first <paramref name="Epochs"/> epochs (min of the two budgets) as its own.
/// Its rows up to <c>ckpt_&lt;Epochs&gt;</c> (metrics, probes, checkpoints, samples of those checkpoints,
/// the architecture) are copied under the new trial's id with their original values and times; the
/// checkpoint rows name the recorded trial's files (a Runner accepts a file of the trial it extends).
/// A longer budget leaves the new trial pending at epoch <paramref name="Epochs"/>, so a Runner resumes
/// it from that checkpoint as it resumes after a crash; a shorter one (<paramref name="Complete"/>)
/// trains nothing: the new trial is completed with the first epochs of what was recorded.
/// </summary>
public sealed record TrialExtension(string FromTrialId, int Epochs, bool Complete)
{
    /// <summary>The checkpoint the new trial starts from (or ends at).</summary>
    public string Checkpoint => $"ckpt_{Epochs}";

    /// <summary>
    /// Inserts the trial as an extension of <paramref name="from"/> with its copied rows, in the caller's
    /// transaction. False (nothing written) when the trial already exists, or the recorded trial is not
    /// completed or has no row for <see cref="Checkpoint"/>: the caller then records it as a plain new trial.
    /// </summary>
    internal static bool Insert(IDbConnection c, IDbTransaction tx, string trialId, string configJson, TrialExtension from, string now)
    {
        var args = new
        {
            trialId, configJson, now, from = from.FromTrialId, checkpoint = from.Checkpoint,
            state = from.Complete ? TrialStates.Completed : TrialStates.Pending,
            finishedAt = from.Complete ? now : null,
        };
        // The SELECT has a WHERE, which SQLite needs before an upsert's ON CONFLICT.
        var inserted = c.Execute("""
            INSERT INTO trials(trial_id, config_json, created_at, state, epoch, step, device, params, vocab_size,
                               gpu_name, libtorch_version, cuda_version, started_at, finished_at, extends_trial_id)
            SELECT @trialId, @configJson, @now, @state, k.epoch, k.step, t.device, t.params, t.vocab_size,
                   t.gpu_name, t.libtorch_version, t.cuda_version, t.started_at, @finishedAt, t.trial_id
            FROM trials t JOIN checkpoints k ON k.trial_id = t.trial_id AND k.name = @checkpoint
            WHERE t.trial_id = @from AND t.state = 'completed'
            ON CONFLICT(trial_id) DO NOTHING
            """, args, tx);
        if (inserted == 0) return false;
        var step = c.ExecuteScalar<long>("SELECT step FROM checkpoints WHERE trial_id = @from AND name = @checkpoint", args, tx);
        var copy = new { args.trialId, args.from, step };
        c.Execute("""
            INSERT INTO metrics(trial_id, name, step, epoch, value, wall_time)
            SELECT @trialId, name, step, epoch, value, wall_time FROM metrics WHERE trial_id = @from AND step <= @step
            """, copy, tx);
        c.Execute("""
            INSERT INTO checkpoints(trial_id, name, epoch, step, path, sha256, bytes, created_at)
            SELECT @trialId, name, epoch, step, path, sha256, bytes, created_at FROM checkpoints WHERE trial_id = @from AND step <= @step
            """, copy, tx);
        c.Execute("""
            INSERT INTO probes(trial_id, checkpoint, input, step, epoch, predicted, top_json)
            SELECT @trialId, checkpoint, input, step, epoch, predicted, top_json FROM probes WHERE trial_id = @from AND step <= @step
            """, copy, tx);
        c.Execute("""
            INSERT INTO samples(trial_id, checkpoint, prime, length, temperature, top_k, seed, text, created_at)
            SELECT @trialId, checkpoint, prime, length, temperature, top_k, seed, text, created_at FROM samples
            WHERE trial_id = @from AND checkpoint IN (SELECT name FROM checkpoints WHERE trial_id = @from AND step <= @step)
            """, copy, tx);
        c.Execute("""
            INSERT INTO architecture(trial_id, ordinal, layer, type, output_shape, params)
            SELECT @trialId, ordinal, layer, type, output_shape, params FROM architecture WHERE trial_id = @from
            """, copy, tx);
        return true;
    }
}
