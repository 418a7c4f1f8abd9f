using Orchestrator.Scheduling;

namespace Orchestrator.Tests;

/// <summary>How in-flight trials are spread over the GPUs, and how a GPU takes fewer after running out of memory.</summary>
public sealed class GpuPoolTests
{
    [Fact]
    public void Without_a_limit_trials_go_to_the_least_loaded_gpu_first_listed_first()
    {
        var pool = new GpuPool(["0", "1", "2"], trialsPerGpu: 0);
        var slots = Enumerable.Range(0, 7).Select(_ => pool.TryTake()!).ToList();
        Assert.Equal(["0", "1", "2", "0", "1", "2", "0"], slots.Select(s => s.Gpu));

        slots[1].Dispose();
        slots[4].Dispose();
        Assert.Equal("1", pool.TryTake()!.Gpu); // GPU 1 now holds none
    }

    [Fact]
    public void Each_gpu_holds_at_most_trials_per_gpu_and_a_freed_slot_is_taken_again()
    {
        var pool = new GpuPool(["4", "6"], trialsPerGpu: 1);
        var a = pool.TryTake()!;
        var b = pool.TryTake()!;
        Assert.Equal(("4", "6"), (a.Gpu, b.Gpu));
        Assert.Null(pool.TryTake());
        Assert.False(pool.HasRoom);

        b.Dispose();
        b.Dispose(); // twice frees once
        Assert.True(pool.HasRoom);
        Assert.Equal("6", pool.TryTake()!.Gpu);
        Assert.Null(pool.TryTake());
    }

    [Fact]
    public void Out_of_memory_lowers_only_that_gpus_capacity_below_the_trials_that_shared_it_never_below_one()
    {
        var pool = new GpuPool(["0", "1"], trialsPerGpu: 3);
        var slot = Enumerable.Range(0, 2).Select(_ => pool.TryTake()!).Single(s => s.Gpu == "1");

        Assert.Equal(2, slot.LowerBelow(sharing: 3));
        Assert.Equal((3, 2), (pool.Capacity("0"), pool.Capacity("1")));
        Assert.Equal(2, slot.LowerBelow(sharing: 5)); // a capacity is never raised again
        Assert.Equal(1, slot.LowerBelow(sharing: 2));
        Assert.Equal(1, slot.LowerBelow(sharing: 1));
        Assert.Equal(1, pool.Capacity("1"));
    }

    [Fact]
    public void Running_attempts_on_a_gpu_are_counted_for_the_out_of_memory_rule()
    {
        var pool = new GpuPool(["0", "1"], trialsPerGpu: 0);
        var onZero = pool.TryTake()!;
        var onOne = pool.TryTake()!;
        var alsoOnZero = pool.TryTake()!;
        using var first = onZero.Start();
        using var second = alsoOnZero.Start();
        using var third = onOne.Start();
        Assert.Equal((2, 2, 1), (first.Sharing, second.Sharing, third.Sharing));
        second.Dispose();
        Assert.Equal(1, first.Sharing);
    }

    [Fact]
    public void Without_gpus_every_slot_is_none_and_there_is_always_room()
    {
        var pool = new GpuPool([], trialsPerGpu: 2);
        Assert.True(pool.HasRoom);
        Assert.All(Enumerable.Range(0, 5).Select(_ => pool.TryTake()), s => Assert.Same(GpuSlot.None, s));
        using var attempt = GpuSlot.None.Start();
        Assert.Equal(1, attempt.Sharing);
    }
}
