using Orchestrator.Progress;

namespace Orchestrator.Tests;

public sealed class TrialLabelsTests
{
    [Fact]
    public void Trial_labels_name_the_grid_values()
    {
        var grid = new Dictionary<string, string> { ["model.cell"] = "lstm", ["model.hidden"] = "512", ["data.seq_len"] = "100" };
        Assert.Equal("lstm hidden=512 seq_len=100", TrialLabels.Label(grid, 0, showRepeat: false));
        Assert.Equal("lstm hidden=512 seq_len=100 r2", TrialLabels.Label(grid, 2, showRepeat: true));
    }
}
