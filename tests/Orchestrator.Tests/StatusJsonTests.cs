using System.Text.Json;
using Core.Spec;
using Core.Store;
using Orchestrator.Planning;
using TestSupport;

namespace Orchestrator.Tests;

/// <summary><c>status --json</c> gives each trial's grid values with the types <c>query</c> gives the same values: numbers as numbers.</summary>
public sealed class StatusJsonTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Grid_values_are_typed_as_query_returns_them()
    {
        // 2e-3 as the spec writes it; the store keeps that text in grid_json, the config holds 0.002.
        var spec = SpecLoader.Load(TinySweep.Write(_dir, "typed", ["model.cell: [gru, lstm]", "model.hidden: [16]", "train.lr: [2e-3]", "train.seed: [7]"]));
        SweepPlan.Register(Database.Open(_dir.File("results/orchestrator.db")), spec);

        var status = OrchestratorCli.Run(_dir.Path, "status", "typed", "--json");
        var query = OrchestratorCli.Run(_dir.Path, "query", "--format", "json", "SELECT cell, hidden, lr, seed FROM trial_summary WHERE sweep = 'typed' ORDER BY ordinal");

        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.True(query.ExitCode == 0, query.ToString());
        var trials = JsonDocument.Parse(status.StdOut).RootElement.GetProperty("sweeps")[0].GetProperty("trials").EnumerateArray().ToList();
        Assert.All(trials, t => Assert.False(t.TryGetProperty("grid_text", out _), "the grid as text is for the table only"));
        var grids = trials.Select(t => t.GetProperty("grid")).ToList();
        var rows = JsonDocument.Parse(query.StdOut).RootElement.EnumerateArray().ToList();
        Assert.Equal(2, grids.Count);
        Assert.Equal(
            [
                """{"model.cell":"gru","model.hidden":16,"train.lr":0.002,"train.seed":7}""",
                """{"model.cell":"lstm","model.hidden":16,"train.lr":0.002,"train.seed":7}""",
            ],
            grids.Select(g => JsonSerializer.Serialize(g)));
        foreach (var (grid, row) in grids.Zip(rows))
        {
            Assert.Equal(row.GetProperty("cell").ToString(), grid.GetProperty("model.cell").GetString());
            Assert.Equal((JsonValueKind.Number, row.GetProperty("hidden").GetInt64()), (grid.GetProperty("model.hidden").ValueKind, grid.GetProperty("model.hidden").GetInt64()));
            Assert.Equal((JsonValueKind.Number, row.GetProperty("lr").GetDouble()), (grid.GetProperty("train.lr").ValueKind, grid.GetProperty("train.lr").GetDouble()));
            Assert.Equal((JsonValueKind.Number, row.GetProperty("seed").GetInt64()), (grid.GetProperty("train.seed").ValueKind, grid.GetProperty("train.seed").GetInt64()));
        }
    }
}
