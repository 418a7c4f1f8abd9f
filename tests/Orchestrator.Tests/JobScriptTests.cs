using Core.Spec;
using Core.Store;
using Orchestrator.Slurm;
using TestSupport;

namespace Orchestrator.Tests;

/// <summary>The worker job script: sbatch options from the spec, the orchestrator by absolute path, no credentials.</summary>
public sealed class JobScriptTests
{
    private static JobScript Script(SlurmConfig slurm, string workDir = "/home/alice/study", string db = "/home/alice/study/results/orchestrator.db",
        string results = "/home/alice/study/results", bool commandLine = true) =>
        new("hw3", slurm, StoreLocation.Parse(db, "--db", commandLine), results, ["/usr/share/dotnet/dotnet", "/opt/orchestrator/orchestrator.dll"], workDir);

    [Fact]
    public void Every_setting_becomes_an_sbatch_line_and_the_worker_runs_by_absolute_path()
    {
        var text = Script(new SlurmConfig
        {
            Partition = "gpu", Account = "proj123", Time = "4:00:00", CpusPerTask = 8, Mem = "32G", Gres = "gpu:1", SignalSeconds = 300,
            Extra = ["--qos=short", "--constraint=a100"],
        }).Text;

        Assert.StartsWith("#!/bin/bash\n", text);
        string[] expected =
        [
            "#SBATCH --job-name=orch-hw3", "#SBATCH --partition=gpu", "#SBATCH --account=proj123", "#SBATCH --time=4:00:00",
            "#SBATCH --cpus-per-task=8", "#SBATCH --mem=32G", "#SBATCH --gres=gpu:1", "#SBATCH --requeue", "#SBATCH --signal=B:TERM@300",
            "#SBATCH --open-mode=append", "#SBATCH --output=/home/alice/study/results/slurm/hw3/%A_%a.out", "#SBATCH --chdir=/home/alice/study",
            "#SBATCH --qos=short", "#SBATCH --constraint=a100",
        ];
        Assert.Equal(expected, text.Split('\n').Where(l => l.StartsWith("#SBATCH", StringComparison.Ordinal)));
        Assert.EndsWith("\nexec /usr/share/dotnet/dotnet /opt/orchestrator/orchestrator.dll worker --db /home/alice/study/results/orchestrator.db --sweep hw3\n", text);
    }

    [Fact]
    public void Every_option_the_script_sets_itself_is_one_a_spec_may_not_set_in_extra()
    {
        var own = Script(SlurmConfig.Default).Options.Select(o => o.Split('=')[0]).ToList();
        Assert.Equal(["--job-name", "--requeue", "--signal", "--open-mode", "--output", "--chdir"], own);
        Assert.All(own, option => Assert.Contains(option, SbatchOptions.Managed));
    }

    [Fact]
    public void Unset_settings_are_left_to_the_clusters_defaults()
    {
        var lines = Script(SlurmConfig.Default).Text.Split('\n').Where(l => l.StartsWith("#SBATCH", StringComparison.Ordinal)).ToList();
        Assert.DoesNotContain(lines, l => l.Contains("--partition") || l.Contains("--mem") || l.Contains("--time") || l.Contains("--gres") || l.Contains("--account"));
        Assert.Contains("#SBATCH --signal=B:TERM@120", lines);
    }

    [Fact]
    public void Paths_with_blanks_are_quoted_for_sbatch_and_the_shell_and_a_quote_is_refused()
    {
        var text = Script(SlurmConfig.Default, workDir: "/home/alice/my study", db: "/home/alice/my study/results/orchestrator.db").Text;
        Assert.Contains("#SBATCH --chdir=\"/home/alice/my study\"", text);
        Assert.Contains("#SBATCH --output=\"/home/alice/my study/results/slurm/hw3/%A_%a.out\"", text);
        Assert.Equal("'it'\\''s here'", JobScript.ShellQuote("it's here"));

        var e = Assert.Throws<JobScriptException>(() => Script(SlurmConfig.Default, workDir: "/home/alice/\"quoted\"").Text);
        Assert.Contains("holds a double quote or a line break", e.Message);
    }

    [Fact]
    public void On_postgresql_the_worker_gets_the_url_without_its_password_and_the_results_folder_which_holds_the_logs()
    {
        // As from ORCHESTRATOR_DB_FILE: the value carries a password (the command line may not).
        var script = Script(SlurmConfig.Default, db: "postgresql://alice:s3cret-pw@db.example:5432/studies", results: "/shared/alice/results", commandLine: false);

        Assert.Equal("/shared/alice/results/slurm/hw3", script.LogFolder);
        Assert.Contains("#SBATCH --output=/shared/alice/results/slurm/hw3/%A_%a.out", script.Text);
        Assert.EndsWith("\nexec /usr/share/dotnet/dotnet /opt/orchestrator/orchestrator.dll worker --db postgresql://alice@db.example:5432/studies "
                        + "--results /shared/alice/results --sweep hw3\n", script.Text);
        Assert.DoesNotContain("s3cret-pw", script.Text);
        Assert.DoesNotContain("s3cret-pw", string.Join(' ', script.WorkerCommand));
        // It travels in sbatch's environment instead.
        Assert.Equal("s3cret-pw", script.Store.ChildEnvironment[StoreLocation.PasswordVariable]);
    }

    [Theory]
    [InlineData(null, null, true)]                              // sbatch's default: ALL
    [InlineData("--export=NONE", null, false)]
    [InlineData("--export=HOME,PATH", null, false)]
    [InlineData("--export=HOME,PGPASSWORD", null, true)]
    [InlineData("--export=ALL,FOO=1", null, true)]
    [InlineData("--export NONE", null, false)]
    [InlineData("--export-file=/tmp/env", null, true)]          // another option: the default stands
    [InlineData(null, "NONE", false)]                           // SBATCH_EXPORT overrides #SBATCH lines
    [InlineData("--export=NONE", "ALL", true)]
    public void The_export_in_effect_decides_whether_pgpassword_reaches_the_workers(string? extra, string? sbatchExport, bool carried)
    {
        var slurm = SlurmConfig.Default with { Extra = extra is null ? [] : ["--qos=short", extra] };
        var environment = new Dictionary<string, string?> { [JobEnvironment.SbatchExportVariable] = sbatchExport };
        string? Env(string name) => environment.GetValueOrDefault(name);

        var (export, _) = JobEnvironment.Export(slurm, Env);
        Assert.Equal(carried, JobEnvironment.Carries(export, StoreLocation.PasswordVariable));

        var withPassword = StoreLocation.Parse("postgresql://alice:pw@db:5432/studies", StoreLocation.DbFileVariable, commandLine: false);
        var warning = JobEnvironment.DroppedPassword(withPassword, slurm, "hw3.yaml", Env);
        if (carried) Assert.Null(warning);
        else Assert.Contains($"sets --export={export}, so the workers do not get PGPASSWORD", warning);
        // No password in this process's environment (it is in ~/.pgpass), or SQLite: nothing to drop.
        Assert.Null(JobEnvironment.DroppedPassword(StoreLocation.Parse("postgresql://alice@db:5432/studies", "--db", true), slurm, "hw3.yaml", Env));
        Assert.Null(JobEnvironment.DroppedPassword(StoreLocation.Parse("/data/o.db", "--db", true), slurm, "hw3.yaml", Env));
        // A PGPASSWORD of this process's own is dropped just the same.
        environment[StoreLocation.PasswordVariable] = "pw";
        Assert.Equal(carried, JobEnvironment.DroppedPassword(StoreLocation.Parse("postgresql://alice@db:5432/studies", "--db", true), slurm, "hw3.yaml", Env) is null);
    }

    [Fact]
    public void A_dry_run_of_a_slurm_sweep_prints_the_job_script_and_submits_and_records_nothing()
    {
        using var dir = new TempDir();
        var spec = TinySweep.Write(dir, "dry", ["model.cell: [gru, lstm]"], execution: SlurmCluster.Execution(workers: 3));

        var r = OrchestratorCli.Run(dir.Path, "run", spec, "--dry-run");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("execution: executor slurm, parallel 2", r.StdOut);
        Assert.Contains("slurm workers: 3, 2 at once; their job script (nothing is submitted now):", r.StdOut);
        Assert.Contains("#SBATCH --partition=debug", r.StdOut);
        Assert.Contains($"#SBATCH --output={dir.File("results/slurm/dry")}/%A_%a.out", r.StdOut);
        Assert.Contains($"worker --db {dir.File("results/orchestrator.db")} --sweep dry", r.StdOut);
        Assert.False(Directory.Exists(dir.File("results")), "a dry run records nothing");
    }
}
