using Orchestrator.Cli;
using Spectre.Console.Cli;

var app = new CommandApp();
app.Configure(config =>
{
    config.SetApplicationName("orchestrator");
    config.UseAssemblyInformationalVersion(); // --version: the version and the commit it was built from
    config.Settings.StrictParsing = true; // an unknown option is an error, not silently ignored
    config.AddCommand<RunCommand>("run")
        .WithDescription("Plan a sweep from its YAML spec into the store and run its trials; run again to resume")
        .WithExample("run", "experiments/quick.yaml")
        .WithExample("run", "experiments/hw3.yaml", "--parallel", "2")
        .WithExample("run", "experiments/hw3.yaml", "--dry-run")
        .WithExample("run", "experiments/hw3.yaml", "--executor", "slurm", "--detach");
    config.AddCommand<CancelCommand>("cancel")
        .WithDescription("Cancel a sweep's Slurm jobs (scancel); its trials checkpoint and stay resumable")
        .WithExample("cancel", "hw3");
    config.AddCommand<WorkerCommand>("worker")
        .WithDescription("Claim and run a sweep's pending trials until none is left (what each Slurm array task runs)")
        .WithExample("worker", "--db", "results/orchestrator.db", "--sweep", "hw3");
    config.AddCommand<StatusCommand>("status")
        .WithDescription("Show each trial of a sweep: state, attempt, epoch/step, best validation loss, throughput")
        .WithExample("status")
        .WithExample("status", "hw3", "--json");
    config.AddCommand<QueryCommand>("query")
        .WithDescription("Run SQL on the results database, opened read-only; print a table, CSV or JSON")
        .WithExample("query", "\"SELECT cell, hidden, seq_len, best_val_loss FROM trial_summary ORDER BY best_val_loss\"")
        .WithExample("query", "\"SELECT * FROM metrics WHERE name = 'val_loss'\"", "--format", "csv");
    config.AddCommand<SampleCommand>("sample")
        .WithDescription("Generate text from a trial's checkpoint (runs the Runner's sample command)")
        .WithExample("sample", "--trial", "3f2a9c1b7d4e", "--prime", "JULIET", "--length", "500", "--temperature", "0.8");
    config.AddCommand<ReportCommand>("report")
        .WithDescription("Write the sweep's report from the database: report.md, figures, LaTeX tables and CSVs; with two sweeps, their comparison (the database is only read)")
        .WithExample("report")
        .WithExample("report", "hw3", "--out", "docs/hw3-report")
        .WithExample("report", "quick", "hw3");
    config.AddCommand<DoctorCommand>("doctor")
        .WithDescription("Check what a run would use and whether it would work: libtorch, TorchSharp, GPU, cuDNN, a few real training steps, MPS, fonts, database, corpus")
        .WithExample("doctor")
        .WithExample("doctor", "experiments/hw3.yaml", "--json");
    config.AddCommand<ExportCommand>("export")
        .WithDescription("Copy a sweep (or the whole store) between SQLite and PostgreSQL, every row as it is")
        .WithExample("export", "hw3", "--to", "postgresql://me@db.example:5432/studies")
        .WithExample("export", "--from", "postgresql://me@db.example:5432/studies", "--to", "results/copy.db");
    config.AddCommand<ServeCommand>("serve")
        .WithDescription("Serve a live web view of the database's sweeps (read-only): tables, curves, trials, comparisons; until Ctrl+C")
        .WithExample("serve")
        .WithExample("serve", "--port", "8080", "--db", "results/orchestrator.db");
    // Every exception that ends a command becomes an exit code and a message here, and only here.
    config.SetExceptionHandler((e, _) => CliErrors.Print(e, args));
});
return await app.RunAsync(args);
