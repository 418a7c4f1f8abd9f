using Core.Contract;

namespace Core.Tests;

/// <summary><c>runner train</c>'s command line: what the orchestrator writes is what the Runner reads, with one set of defaults.</summary>
public sealed class TrainCommandLineTests
{
    [Fact]
    public void What_an_owner_writes_the_runner_reads_back()
    {
        var line = new TrainCommandLine
        {
            Store = new StoreArguments("postgresql://alice@db:5432/studies", "/srv/results"),
            Trial = "8457aa887411",
            Owner = "box:4242:918273:3f9a1c2b",
            Lease = TimeSpan.FromSeconds(7.5),
            Threads = 3,
            Device = "cpu",
            Flush = TimeSpan.FromSeconds(0.25),
            DbOutage = TimeSpan.FromSeconds(90),
        };

        var args = line.ToArguments();

        Assert.Equal(
            ["train", "--db", "postgresql://alice@db:5432/studies", "--results", "/srv/results", "--trial", "8457aa887411", "--owner", "box:4242:918273:3f9a1c2b",
             "--lease-seconds", "7.5", "--threads", "3", "--device", "cpu", "--flush-seconds", "0.25", "--db-outage-seconds", "90"],
            args);
        Assert.Equal(line, TrainCommandLine.Parse(args.Skip(1).ToList()));
    }

    [Fact]
    public void A_line_a_person_types_gets_the_documented_defaults()
    {
        var line = TrainCommandLine.Parse(["--config", "trial.yaml"]);

        Assert.Equal((new StoreArguments(null, null), "trial.yaml", (string?)null, TimeSpan.FromSeconds(30), (int?)null, "auto", TimeSpan.FromSeconds(5), true),
            (line.Store, line.Config, line.Owner, line.Lease, line.Threads, line.Device, line.Flush, line.Standalone));
        Assert.Null(line.DbOutage); // the Runner's own default: ORCHESTRATOR_DB_OUTAGE_SECONDS, else five minutes
        // The defaults are not written back: flush at its default and no outage window are left out.
        Assert.Equal(["train", "--config", "trial.yaml", "--lease-seconds", "30", "--device", "auto"], line.ToArguments());
    }

    [Theory]
    [InlineData("--lease-seconds", "0.5", "--lease-seconds must be at least 1, got 0.5")]
    [InlineData("--lease-seconds", "soon", "--lease-seconds must be a number, got 'soon'")]
    [InlineData("--threads", "0", "--threads must be at least 1, got 0")]
    [InlineData("--leases", "3", "unknown option --leases; known: --db, --results, --trial, --config, --owner, --lease-seconds, --threads, --device, --flush-seconds, --db-outage-seconds, --sweep, --early-stopping")]
    public void A_wrong_option_is_a_usage_error_that_names_it(string option, string value, string message) =>
        Assert.Equal(message, Assert.Throws<UsageException>(() => TrainCommandLine.Parse(["--trial", "x", option, value])).Message);

    [Fact]
    public void The_environment_carries_the_store_the_threads_the_placement_and_the_gpu()
    {
        var line = new TrainCommandLine
        {
            Trial = "x",
            Threads = 2,
            StoreEnvironment = new Dictionary<string, string> { ["PGPASSWORD"] = "pw" },
            Placement = new Dictionary<string, string> { [RunnerEnvironment.LibtorchDir] = "/opt/torch/lib", ["OMP_NUM_THREADS"] = "4" },
            Gpu = "1",
        };

        var env = line.Environment();

        Assert.Equal("pw", env["PGPASSWORD"]);
        Assert.Equal("2", env["MKL_NUM_THREADS"]);
        Assert.Equal("4", env["OMP_NUM_THREADS"]); // the placement comes after the thread settings, so it wins
        Assert.Equal("/opt/torch/lib", env[RunnerEnvironment.LibtorchDir]);
        Assert.Equal("1", env[RunnerEnvironment.CudaVisibleDevices]);
        Assert.DoesNotContain("pw", string.Join(' ', line.ToArguments()));
    }

    /// <summary>docs/contract.md, "Failure kinds": who records each kind.</summary>
    [Theory]
    [InlineData(FailureKind.BadInput, false, true)]
    [InlineData(FailureKind.BadInput, true, true)]
    [InlineData(FailureKind.Diverged, false, true)]
    [InlineData(FailureKind.Diverged, true, true)]
    [InlineData(FailureKind.OutOfMemory, false, false)]
    [InlineData(FailureKind.OutOfMemory, true, true)]
    [InlineData(FailureKind.Crashed, false, false)]
    [InlineData(FailureKind.Crashed, true, false)]
    public void The_runner_records_final_failures_and_standalone_out_of_memory(string kind, bool standalone, bool runnerRecords) =>
        Assert.Equal(runnerRecords, TrainCommandLine.RunnerRecordsFailure(kind, standalone));
}
