using Core.Spec;
using TestSupport;

namespace Core.Tests;

/// <summary>The spec's execution.executor and execution.slurm: read, and every problem located like the rest of the spec.</summary>
public sealed class SlurmSpecTests : IDisposable
{
    private readonly TempDir dir = new("spec");

    public void Dispose() => dir.Dispose();

    private const string Head = """
        name: cluster
        data: { path: data/tinyshakespeare.txt }
        model: { hidden: 64 }
        grid:
          model.cell: [gru, lstm]
        """;

    [Fact]
    public void A_slurm_section_is_read_with_every_setting()
    {
        var spec = SpecLoader.Load(dir.Write("ok.yaml", Head + """

            execution:
              parallel: 4
              executor: slurm
              slurm:
                partition: gpu
                time: "1-02:00:00"
                gres: "gpu:a100:1"
                cpus_per_task: 8
                mem: 32G
                account: proj123
                workers: 10
                signal_seconds: 300
                extra: ["--qos=short", "--constraint=a100"]
            """));

        Assert.Equal(Executors.Slurm, spec.Execution.Executor);
        var s = spec.Execution.Slurm;
        Assert.Equal(("gpu", "1-02:00:00", "gpu:a100:1", 8, "32G", "proj123", 10, 300),
            (s.Partition, s.Time, s.Gres, s.CpusPerTask, s.Mem, s.Account, s.Workers, s.SignalSeconds));
        Assert.Equal(["--qos=short", "--constraint=a100"], s.Extra);
        Assert.Equal(4, spec.Execution.Parallel);
    }

    [Fact]
    public void Without_a_slurm_section_the_executor_is_local_and_nothing_is_passed_to_sbatch()
    {
        var spec = SpecLoader.Load(dir.Write("plain.yaml", Head));
        Assert.Equal(Executors.Local, spec.Execution.Executor);
        Assert.Equal(SlurmConfig.Default, spec.Execution.Slurm);
        Assert.Equal((null, null, null, null, null, 120), (spec.Execution.Slurm.Partition, spec.Execution.Slurm.Time, spec.Execution.Slurm.Gres,
            spec.Execution.Slurm.CpusPerTask, spec.Execution.Slurm.Mem, spec.Execution.Slurm.SignalSeconds));
    }

    [Fact]
    public void The_executor_does_not_change_trial_ids()
    {
        var local = SpecLoader.Load(dir.Write("a.yaml", Head));
        var slurm = SpecLoader.Load(dir.Write("b.yaml", Head + "\nexecution: { executor: slurm, slurm: { partition: debug } }\n"));
        Assert.Equal(local.Trials.Select(t => t.Id), slurm.Trials.Select(t => t.Id));
    }

    [Fact]
    public void Every_problem_in_the_slurm_section_is_reported_with_its_line_and_column()
    {
        var path = dir.Write("bad.yaml", Head + """

            execution:
              executor: kubernetes
              slurm:
                partiton: gpu
                time: "two hours"
                gres: "gpu 1"
                cpus_per_task: 0
                mem: 4GB
                account: "my account"
                workers: -1
                signal_seconds: 99999
                extra: ["--array=0-3", "qos=short", "--output=x.log"]
            """);

        var e = Assert.Throws<SpecException>(() => SpecLoader.Load(path));

        string Where(int line, int col) => $"{path}:{line}:{col}:";
        Assert.Contains($"{Where(7, 13)} execution.executor: must be one of local, slurm, got 'kubernetes'", e.Message);
        Assert.Contains($"{Where(9, 5)} execution.slurm.partiton: unknown key; did you mean 'partition'?", e.Message);
        Assert.Contains($"{Where(10, 11)} execution.slurm.time: must be a Slurm time limit: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS, e.g. 4:00:00, got 'two hours'", e.Message);
        Assert.Contains($"{Where(11, 11)} execution.slurm.gres: must be a generic resource list such as gpu:1 or gpu:a100:2, got 'gpu 1'", e.Message);
        Assert.Contains($"{Where(12, 20)} execution.slurm.cpus_per_task: must be at least 1, got 0", e.Message);
        Assert.Contains($"{Where(13, 10)} execution.slurm.mem: must be memory per worker: a whole number with an optional unit K, M, G or T, e.g. 4G, got '4GB'", e.Message);
        Assert.Contains($"{Where(14, 14)} execution.slurm.account: must be an account name, e.g. proj123, got 'my account'", e.Message);
        Assert.Contains($"{Where(15, 14)} execution.slurm.workers: must be at least 1, got -1", e.Message);
        Assert.Contains($"{Where(16, 21)} execution.slurm.signal_seconds: must be at most 65535 (Slurm's limit), got 99999", e.Message);
        Assert.Contains($"{Where(17, 13)} execution.slurm.extra: '--array' is set by the orchestrator in every job script (docs/cluster.md); remove it from extra", e.Message);
        Assert.Contains($"{Where(17, 28)} execution.slurm.extra: each item must be one sbatch option on one line, starting with '-' (e.g. --qos=short), got 'qos=short'", e.Message);
        Assert.Contains($"{Where(17, 41)} execution.slurm.extra: '--output' is set by the orchestrator", e.Message);
    }

    [Fact]
    public void Extra_may_not_turn_requeueing_off_or_on_the_job_script_always_requeues()
    {
        var path = dir.Write("requeue.yaml", Head + "\nexecution: { slurm: { extra: [\"--no-requeue\", \"--requeue\", \"--qos=short\"] } }\n");
        var e = Assert.Throws<SpecException>(() => SpecLoader.Load(path));
        Assert.Equal(
            [
                $"{path}:6:31: execution.slurm.extra: '--no-requeue' is set by the orchestrator in every job script (docs/cluster.md); remove it from extra",
                $"{path}:6:47: execution.slurm.extra: '--requeue' is set by the orchestrator in every job script (docs/cluster.md); remove it from extra",
            ],
            e.Problems.Select(p => p.ToString()));
    }

    [Fact]
    public void The_warning_signal_must_come_before_the_time_limit()
    {
        var path = dir.Write("signal.yaml", Head + """

            execution:
              slurm: { time: "5", signal_seconds: 300 }
            """);

        var e = Assert.Throws<SpecException>(() => SpecLoader.Load(path));

        Assert.Contains($"{path}:7:39: execution.slurm.signal_seconds: the warning signal (300 s before the limit) must come before the time limit itself (5 = 300 s); lower signal_seconds or raise time", e.Message);
    }

    [Theory]
    [InlineData("30", 30 * 60)]
    [InlineData("30:15", 30 * 60 + 15)]
    [InlineData("2:00:00", 2 * 3600)]
    [InlineData("1-0", 24 * 3600)]
    [InlineData("1-2:30", 24 * 3600 + 2 * 3600 + 30 * 60)]
    [InlineData("2-01:00:05", 2 * 86400 + 3600 + 5)]
    public void Slurm_time_limits_are_read_in_all_their_forms(string time, long seconds)
    {
        var spec = SpecLoader.Load(dir.Write("t.yaml", Head + $"\nexecution: {{ slurm: {{ time: \"{time}\", signal_seconds: 1 }} }}\n"));
        Assert.Equal(time, spec.Execution.Slurm.Time);
        Assert.Equal(seconds, SlurmTimeLimit.Seconds(time));
    }

    [Fact]
    public void A_spec_as_the_store_recorded_it_reads_the_same()
    {
        var path = dir.Write("stored.yaml", Head + "\nexecution: { executor: slurm, slurm: { mem: 2G } }\n");
        var fromFile = SpecLoader.Load(path);
        var fromText = SpecLoader.LoadText(path, File.ReadAllText(path));
        Assert.Equal(fromFile.Trials.Select(t => t.Id), fromText.Trials.Select(t => t.Id));
        Assert.Equal(fromFile.Execution.Slurm.Mem, fromText.Execution.Slurm.Mem);
        Assert.Equal(Executors.Slurm, fromText.Execution.Executor);
    }
}
