using Core.Config;

namespace Core.Tests;

public sealed class TrialConfigTests
{
    [Fact]
    public void Canonical_json_round_trips_and_the_id_follows_the_content()
    {
        var config = new TrialConfig { Model = new ModelConfig { Cell = "lstm", Hidden = 512 }, Data = new DataConfig { SeqLen = 150 } };
        var json = config.ToCanonicalJson();
        Assert.Contains("\"seq_len\":150", json);
        Assert.Equal(config, TrialConfig.FromJson(json));
        Assert.Equal(config.Id(), TrialConfig.FromJson(json).Id());
        Assert.Equal(12, config.Id().Length);
        Assert.NotEqual(config.Id(), (config with { Train = config.Train with { Seed = 43 } }).Id());
    }

    [Fact]
    public void Unknown_fields_in_stored_json_are_rejected()
    {
        var json = new TrialConfig().ToCanonicalJson().Replace("\"hidden\"", "\"hiddn\"", StringComparison.Ordinal);
        Assert.ThrowsAny<System.Text.Json.JsonException>(() => TrialConfig.FromJson(json));
    }
}
