using System.Reflection;
using System.Text.Json.Serialization;
using Core.Contract;

namespace Core.Tests;

/// <summary>
/// The progress line format on its own: every event kind survives a round trip, and nothing that
/// is not a complete known event parses. (That the real Runner prints what the orchestrator reads
/// is ProcessContractTests in Orchestrator.Tests.)
/// </summary>
public sealed class ProgressLineTests
{
    private static readonly RunnerEvent[] OneOfEach =
    [
        new StartEvent("abc123def456", "cpu", 5, 1561, 120),
        new StepEvent(2, 130, 1.25, 40000.5),
        new EpochEvent(1, 1561, 1.9, 0.6, 1.8, 0.55, 39000, 12.5),
        new CheckpointEvent("ckpt_1", 1561),
        new WarningEvent("skipping checkpoint step_40 of trial abc: its file is missing"),
        new FailureEvent(FailureKind.OutOfMemory, "out of memory: DefaultCPUAllocator: can't allocate memory"),
        new DoneEvent(),
    ];

    [Fact]
    public void Every_event_kind_round_trips_with_its_kind_first()
    {
        var declared = typeof(RunnerEvent).GetCustomAttributes<JsonDerivedTypeAttribute>().ToDictionary(a => a.DerivedType, a => (string)a.TypeDiscriminator!);
        Assert.Equal(declared.Keys.OrderBy(t => t.Name), OneOfEach.Select(e => e.GetType()).OrderBy(t => t.Name));
        foreach (var e in OneOfEach)
        {
            var line = ProgressLine.Format(e);
            Assert.StartsWith($"@progress {{\"event\":\"{declared[e.GetType()]}\"", line);
            Assert.Equal(e, ProgressLine.TryParse(line));
        }
    }

    [Theory]
    [InlineData("runner: epoch 1 done")]
    [InlineData("@progress not json")]
    [InlineData("@progress [1,2]")]
    [InlineData("@progress {\"event\":\"unknown\"}")]
    [InlineData("@progress {\"step\":3}")]
    [InlineData("@progress{\"event\":\"done\"}")]
    [InlineData("@progress {\"event\":\"checkpoint\",\"step\":10}")]
    [InlineData("@progress {\"event\":\"checkpoint\",\"name\":null,\"step\":10}")]
    [InlineData("@progress {\"event\":\"step\",\"epoch\":1,\"step\":10,\"loss\":\"high\",\"chars_per_sec\":1}")]
    [InlineData("@progress {\"event\":\"failure\",\"kind\":\"crashed\"}")]
    public void Anything_but_a_complete_known_event_is_ignored(string line) => Assert.Null(ProgressLine.TryParse(line));

    [Fact]
    public void A_nan_loss_reads_as_not_a_number()
    {
        var e = Assert.IsType<StepEvent>(ProgressLine.TryParse("""@progress {"event":"step","epoch":1,"step":10,"loss":"NaN","chars_per_sec":1}"""));
        Assert.True(double.IsNaN(e.Loss));
    }

    [Fact]
    public void The_event_kind_may_come_after_the_fields()
    {
        Assert.Equal(new CheckpointEvent("ckpt_2", 20), ProgressLine.TryParse("""@progress {"name":"ckpt_2","step":20,"event":"checkpoint"}"""));
    }
}
