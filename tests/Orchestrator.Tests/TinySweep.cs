using System.Globalization;
using TestSupport;

namespace Orchestrator.Tests;

/// <summary>Writes small sweep specs (tiny models on a generated corpus) into a temp folder.</summary>
internal static class TinySweep
{
    /// <summary>
    /// A spec with <c>grid</c> lines as given (e.g. <c>model.hidden: [16, 24]</c>). Trials are tiny:
    /// a few dozen steps of a 16–32 unit model, checkpoints every few steps so a kill finds one.
    /// <paramref name="execution"/> adds lines to the execution section (e.g. <c>executor: slurm</c>, <c>gpus: [0, 1]</c>);
    /// <paramref name="sections"/> adds top-level lines (e.g. <c>early_stopping: { rule: median }</c>).
    /// </summary>
    public static string Write(TempDir dir, string name, string[] grid, int epochs = 2, int maxSteps = 12, int checkpointEvery = 4,
        int parallel = 2, int retries = 2, double leaseSeconds = 4, string file = "sweep.yaml", string[]? execution = null, int hidden = 16, string device = "cpu",
        string[]? sections = null)
    {
        var corpus = dir.File("corpus.txt");
        if (!File.Exists(corpus)) File.WriteAllText(corpus, Corpora.Generate(20_000));
        var yaml = $"""
            name: {name}
            data:
              path: {corpus}
              val_fraction: 0.1
              seq_len: 16
            model:
              cell: gru
              embedding: 8
              hidden: {hidden}
            train:
              batch_size: 8
              epochs: {epochs}
              max_steps: {maxSteps}
              lr: 0.01
              log_every: 2
              checkpoint_every: {checkpointEvery}
              val_batches: 2
              seed: 7
            probe:
              text: peo
            sample:
              prime: JULIET
              length: 20
            grid:
            {string.Join('\n', grid.Select(g => "  " + g))}
            execution:
              device: {device}
              parallel: {parallel}
              retries: {retries}
              lease_seconds: {leaseSeconds.ToString(CultureInfo.InvariantCulture)}
              threads_per_trial: 1
            {string.Join('\n', (execution ?? []).Select(e => "  " + e))}
            """;
        return dir.Write(file, yaml + "\n" + string.Concat((sections ?? []).Select(s => s + "\n")));
    }
}
