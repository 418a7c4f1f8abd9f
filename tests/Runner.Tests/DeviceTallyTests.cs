using Runner.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Runner.Tests;

public sealed class DeviceTallyTests
{
    [Fact]
    public void A_read_returns_the_losses_in_step_order_with_their_summed_correct_count_and_starts_a_new_interval()
    {
        using var tally = new DeviceTally(CPU);
        float[] losses = [2.5f, float.NaN, 0.1f];
        long[] correct = [3, 4, 5];
        for (var i = 0; i < losses.Length; i++)
        {
            using var scope = torch.NewDisposeScope(); // as in a training step: what the tally keeps must outlive it
            tally.Add(tensor(losses[i]), tensor(correct[i]));
        }

        var (read, sum) = tally.Read();

        Assert.Equal(losses.Select(l => (double)l), read);
        Assert.Equal(12, sum);
        var (none, noneCorrect) = tally.Read();
        Assert.Equal((0, 0L), (none.Length, noneCorrect));
        using (torch.NewDisposeScope()) tally.Add(tensor(1.5f), tensor(7L));
        var (next, nextCorrect) = tally.Read();
        Assert.Equal([1.5], next);
        Assert.Equal(7, nextCorrect);
    }
}
