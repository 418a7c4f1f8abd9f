using System.ComponentModel;
using Core.Store;
using Orchestrator.Execution;
using Orchestrator.Serve;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Orchestrator.Cli;

internal sealed class ServeSettings : StoreSettings
{
    [CommandOption("--port <PORT>")]
    [Description("Port to listen on (0: any free one). Default: 8765")]
    [DefaultValue(ServeOptions.DefaultPort)]
    [TypeConverter(typeof(NumberOption<int>))]
    public int Port { get; init; } = ServeOptions.DefaultPort;

    [CommandOption("--host <ADDRESS>")]
    [Description("Address to listen on. Default: 127.0.0.1 (this machine only); any other (e.g. 0.0.0.0) needs the token printed in the URL")]
    [DefaultValue(ServeOptions.DefaultHost)]
    public string Host { get; init; } = ServeOptions.DefaultHost;

    public override ValidationResult Validate()
    {
        var store = base.Validate();
        if (!store.Successful) return store;
        return Port is < 0 or > 65535 ? ValidationResult.Error($"--port must be 0 to 65535, got {Port}") : ValidationResult.Success();
    }
}

/// <summary><c>orchestrator serve</c>: the live web view of every sweep in the database, until Ctrl+C.</summary>
internal sealed class ServeCommand : AsyncCommand<ServeSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, ServeSettings settings, CancellationToken cancellationToken)
    {
        var store = settings.Store;
        var db = Database.OpenReadOnly(store, settings.ResultsDir);
        if (new SweepRepository(db).List().Count == 0)
            throw new ServeException($"no sweeps in {db.Path} yet: there is nothing to show; run `orchestrator run SPEC` first, or pass --db PATH");
        using var stop = new StopOnSignals(cancellationToken, _ => { });
        await using var host = await ServeHost.StartAsync(new ServeOptions(settings.Host, settings.Port, store, settings.ResultsDir), cancellationToken);
        Output.Info($"serving {db.Path} at {host.Url} (Ctrl+C to stop)");
        await host.WaitAsync(stop.Graceful);
        return CliExitCode.Ok;
    }
}
