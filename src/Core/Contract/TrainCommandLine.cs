using System.Collections.ObjectModel;
using System.Globalization;
using Core.Spec;

namespace Core.Contract;

/// <summary>
/// <c>runner train</c>: its command line and environment, defined once for both sides
/// (docs/contract.md, "Starting a Runner"). Whoever starts a Runner builds one and writes it
/// (<see cref="ToArguments"/>, <see cref="Environment"/>); the Runner reads its arguments back with
/// <see cref="Parse"/>, so every option and every default (the lease's above all) exists here only.
/// Beside it, the rule for who records a failure (<see cref="RunnerRecordsFailure"/>).
/// </summary>
public sealed record TrainCommandLine
{
    public const string Command = "train";

    /// <summary>The lease a trial is held with unless the spec (<c>execution.lease_seconds</c>) or <c>--lease-seconds</c> says otherwise.</summary>
    public static readonly TimeSpan DefaultLease = TimeSpan.FromSeconds(30);

    /// <summary>How often buffered metrics are written unless <c>--flush-seconds</c> says otherwise (also at every checkpoint).</summary>
    public static readonly TimeSpan DefaultFlush = TimeSpan.FromSeconds(5);

    public const string DefaultDevice = "auto";

    public const string Usage = """
        runner train --db DB [--results DIR] --trial ID [--owner TOKEN] [--lease-seconds S] [--threads N] [--device auto|cpu|cuda] [--flush-seconds S] [--db-outage-seconds S]
                     [--sweep NAME --early-stopping RULE,METRIC,GRACE,MIN_PEERS,REDUCTION_FACTOR]
        runner train --db DB [--results DIR] --config TRIAL.yaml [same options]
          DB: a SQLite file or a postgresql:// URL (default: $ORCHESTRATOR_DB or $ORCHESTRATOR_DB_FILE, as for the orchestrator);
          DIR: where checkpoints go with PostgreSQL (default: results/)
        """;

    private static readonly IReadOnlyList<string> Options = [.. StoreArguments.Options, "trial", "config", "owner", "lease-seconds", "threads", "device", "flush-seconds", "db-outage-seconds", "sweep", "early-stopping"];

    /// <summary><c>--db</c> and <c>--results</c>: where the store is.</summary>
    public StoreArguments Store { get; init; } = new(null, null);

    /// <summary><c>--trial ID</c>: a trial already in the store (the orchestrator's way).</summary>
    public string? Trial { get; init; }

    /// <summary><c>--config TRIAL.yaml</c>: create the trial from a trial file, then train it (standalone use).</summary>
    public string? Config { get; init; }

    /// <summary><c>--owner TOKEN</c>: the owner that already claimed the trial; null: the Runner claims it for itself (<see cref="Standalone"/>).</summary>
    public string? Owner { get; init; }

    /// <summary><c>--lease-seconds S</c>: the lease the trial is held with; the Runner heartbeats every third of it.</summary>
    public TimeSpan Lease { get; init; } = DefaultLease;

    /// <summary><c>--threads N</c>: torch's CPU threads; null: libtorch's choice.</summary>
    public int? Threads { get; init; }

    /// <summary><c>--device auto|cpu|cuda</c>.</summary>
    public string Device { get; init; } = DefaultDevice;

    /// <summary><c>--flush-seconds S</c>: how often buffered metrics are written (written on the command line only when it is not the default).</summary>
    public TimeSpan Flush { get; init; } = DefaultFlush;

    /// <summary>
    /// <c>--db-outage-seconds S</c>: how long the Runner rides out a database that does not answer
    /// (<c>Core.Store.OutagePolicy</c>); null: <c>ORCHESTRATOR_DB_OUTAGE_SECONDS</c>, else five minutes.
    /// </summary>
    public TimeSpan? DbOutage { get; init; }

    /// <summary><c>--sweep NAME</c>: the sweep whose trials are the peers of an early-stopping rule (with <see cref="EarlyStopping"/>).</summary>
    public string? Sweep { get; init; }

    /// <summary><c>--early-stopping RULE,…</c> (<see cref="EarlyStoppingConfig.ToArgument"/>): stop the trial at an epoch end when the rule says so; null: train the whole budget.</summary>
    public EarlyStoppingConfig? EarlyStopping { get; init; }

    /// <summary>Environment: what the store needs beyond the command line (a password: <c>Core.Store.StoreLocation.ChildEnvironment</c>).</summary>
    public IReadOnlyDictionary<string, string> StoreEnvironment { get; init; } = ReadOnlyDictionary<string, string>.Empty;

    /// <summary>Environment: where the run places its Runners (<see cref="RunnerEnvironment"/>: libtorch, MPS).</summary>
    public IReadOnlyDictionary<string, string> Placement { get; init; } = ReadOnlyDictionary<string, string>.Empty;

    /// <summary>Environment: the one GPU the Runner may use, as <c>CUDA_VISIBLE_DEVICES</c>; null: none of its own.</summary>
    public string? Gpu { get; init; }

    /// <summary>Without an owner the Runner claims the trial itself, with a token of its own.</summary>
    public bool Standalone => Owner is null;

    /// <summary>The arguments, in the contract's order: <c>train</c>, the store, the trial, then the options that are set.</summary>
    public IReadOnlyList<string> ToArguments()
    {
        var args = new List<string> { Command };
        args.AddRange(Store.ToArguments());
        if (Trial is not null) args.AddRange(["--trial", Trial]);
        if (Config is not null) args.AddRange(["--config", Config]);
        if (Owner is not null) args.AddRange(["--owner", Owner]);
        args.AddRange(["--lease-seconds", Lease.TotalSeconds.ToString("R", CultureInfo.InvariantCulture)]);
        if (Threads is { } threads) args.AddRange(["--threads", threads.ToString(CultureInfo.InvariantCulture)]);
        args.AddRange(["--device", Device]);
        if (Flush != DefaultFlush) args.AddRange(["--flush-seconds", Flush.TotalSeconds.ToString("R", CultureInfo.InvariantCulture)]);
        if (DbOutage is { } outage) args.AddRange(["--db-outage-seconds", outage.TotalSeconds.ToString("R", CultureInfo.InvariantCulture)]);
        if (EarlyStopping is not null) args.AddRange(["--sweep", Sweep!, "--early-stopping", EarlyStopping.ToArgument()]);
        return args;
    }

    /// <summary>
    /// The environment variables the Runner is started with beyond the starter's own, later ones
    /// winning: the store's, the thread pools' for <see cref="Threads"/> (<see cref="RunnerEnvironment.ForThreads"/>),
    /// the <see cref="Placement"/>, and the <see cref="Gpu"/>.
    /// </summary>
    public IReadOnlyDictionary<string, string> Environment()
    {
        var env = new Dictionary<string, string>(StoreEnvironment);
        if (Threads is { } threads) foreach (var (name, value) in RunnerEnvironment.ForThreads(threads)) env[name] = value;
        foreach (var (name, value) in Placement) env[name] = value;
        if (Gpu is not null) env[RunnerEnvironment.CudaVisibleDevices] = Gpu;
        return env;
    }

    /// <summary>
    /// Reads the arguments after <c>train</c>. Throws <see cref="UsageException"/> for an unknown
    /// option or a value that does not fit; whether the line names a trial (<see cref="Trial"/> or
    /// <see cref="Config"/>) is the Runner's to check.
    /// </summary>
    public static TrainCommandLine Parse(IReadOnlyList<string> args)
    {
        var a = RunnerArguments.Parse(args, Options);
        EarlyStoppingConfig? earlyStopping = null;
        if (a.Get("early-stopping") is { } rule)
        {
            var (parsed, error) = EarlyStoppingConfig.Parse(rule);
            earlyStopping = parsed ?? throw new UsageException($"--early-stopping {error}");
            if (a.Get("sweep") is null) throw new UsageException("--early-stopping needs --sweep NAME: the sweep whose trials it compares");
        }
        return new TrainCommandLine
        {
            Store = StoreArguments.From(a),
            Trial = a.Get("trial"),
            Config = a.Get("config"),
            Owner = a.Get("owner"),
            Lease = a.Seconds("lease-seconds", min: 1) ?? DefaultLease,
            Threads = a.Int("threads", min: 1),
            Device = a.Get("device") ?? DefaultDevice,
            Flush = a.Seconds("flush-seconds", min: 0) ?? DefaultFlush,
            DbOutage = a.Seconds("db-outage-seconds", min: 0),
            Sweep = a.Get("sweep"),
            EarlyStopping = earlyStopping,
        };
    }

    /// <summary>
    /// Who records a failure (docs/contract.md, "Failure kinds"): the Runner fails the trial itself
    /// for bad input and divergence, which no other attempt can help, and for running out of memory
    /// when it runs <paramref name="standalone"/>. Otherwise it leaves the trial running for its owner,
    /// which retries a crash and decides about memory, since only it knows how many trials share the machine.
    /// </summary>
    public static bool RunnerRecordsFailure(string kind, bool standalone) =>
        kind is FailureKind.BadInput or FailureKind.Diverged || (kind == FailureKind.OutOfMemory && standalone);
}
