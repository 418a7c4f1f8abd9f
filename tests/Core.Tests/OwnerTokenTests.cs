using System.Diagnostics;
using Core.Contract;

namespace Core.Tests;

/// <summary>Owner tokens and process identities: one format, and a liveness check that a reused pid cannot fool.</summary>
public sealed class OwnerTokenTests
{
    [Fact]
    public void A_token_names_this_process_by_host_pid_and_start_time()
    {
        var token = OwnerToken.New();
        Assert.Matches($@"^{Environment.MachineName}:{Environment.ProcessId}:[1-9]\d*:[0-9a-f]{{8}}$", token);
        Assert.Equal(ProcessIdentity.Current, OwnerToken.ProcessOf(token));
        Assert.NotEqual(token, OwnerToken.New());
    }

    [Theory]
    [InlineData("me")]
    [InlineData("orchestrator-1")]
    [InlineData("box:4242:3f9a1c")]                   // the old host:pid:random tokens carry no start time
    [InlineData("runner:box:4242:3f9a1c2b4d5e")]
    [InlineData("box:pid:123:abc")]
    [InlineData(null)]
    public void Tokens_of_other_formats_name_no_process(string? token) => Assert.Null(OwnerToken.ProcessOf(token));

    [Fact]
    public void A_host_name_with_colons_survives_the_round_trip()
    {
        var identity = new ProcessIdentity("fe80::1", 42, 7);
        Assert.Equal(identity, ProcessIdentity.Parse(identity.ToString()));
        Assert.Equal(identity, OwnerToken.ProcessOf($"{identity}:00ff"));
    }

    [Fact]
    public void This_process_runs_and_a_different_start_time_under_its_pid_is_another_process()
    {
        Assert.False(ProcessIdentity.Current.IsGoneHere());
        Assert.True((ProcessIdentity.Current with { StartTime = ProcessIdentity.Current.StartTime + 1 }).IsGoneHere(), "a reused pid was taken for the owner");
    }

    [Fact]
    public void A_process_that_ended_is_gone_but_only_on_its_own_host()
    {
        using var child = Process.Start("sleep", "30")!;
        var identity = ProcessIdentity.Of(child.Id)!;
        Assert.False(identity.IsGoneHere());
        child.Kill();
        child.WaitForExit();

        Assert.True(identity.IsGoneHere());
        Assert.False((identity with { Host = "another-host" }).IsGoneHere(), "a process of another host cannot be checked from here");
        Assert.False((identity with { StartTime = 0 }).IsGoneHere(), "an unknown start time cannot be checked");
    }

    [Fact]
    public void A_trial_is_orphaned_only_when_its_owner_and_its_runner_are_both_gone()
    {
        using var dead = Process.Start("sleep", "30")!;
        var deadOwner = $"{ProcessIdentity.Of(dead.Id)}:abcd";
        var deadRunner = ProcessIdentity.Of(dead.Id)!.ToString();
        dead.Kill();
        dead.WaitForExit();
        var liveOwner = OwnerToken.New();
        var liveRunner = ProcessIdentity.Current.ToString();

        Assert.True(OwnerToken.IsOrphanedHere(deadOwner, runner: null));
        Assert.True(OwnerToken.IsOrphanedHere(deadOwner, deadRunner));
        Assert.False(OwnerToken.IsOrphanedHere(deadOwner, liveRunner), "the orchestrator died but its Runner still trains the trial");
        Assert.False(OwnerToken.IsOrphanedHere(liveOwner, deadRunner), "the orchestrator lives: it retries its crashed Runner itself");
        Assert.False(OwnerToken.IsOrphanedHere("someone-else", runner: null));
        Assert.False(OwnerToken.IsOrphanedHere(deadOwner.Replace(Environment.MachineName, "another-host", StringComparison.Ordinal), runner: null));
    }
}
