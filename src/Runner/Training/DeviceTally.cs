using TorchSharp;
using static TorchSharp.torch;

namespace Runner.Training;

/// <summary>
/// The losses and correct next-character counts of the training steps since the last read, kept on
/// the device: a step only queues work, and never waits for the device to hand back a number.
/// <see cref="Read"/> brings them to the host in one transfer (the training loop reads every
/// log_every steps, before a checkpoint and at the end of an epoch).
/// </summary>
internal sealed class DeviceTally : IDisposable
{
    private readonly List<Tensor> _losses = [];
    private readonly Tensor _correct;

    public DeviceTally(Device device)
    {
        _correct = torch.zeros([], ScalarType.Int64, device).DetachFromDisposeScope();
    }

    /// <summary>Keeps a step's loss (a scalar) and adds its correct count (an int64 scalar); call inside the step's dispose scope.</summary>
    public void Add(Tensor loss, Tensor correct)
    {
        _losses.Add(loss.detach().DetachFromDisposeScope());
        _correct.add_(correct);
    }

    /// <summary>The losses of the steps since the last read, in step order, and their correct count; empties the tally.</summary>
    public (double[] Losses, long Correct) Read()
    {
        if (_losses.Count == 0) return ([], 0);
        double[] values;
        using (torch.NewDisposeScope())
        {
            var all = torch.cat([torch.stack(_losses).to(ScalarType.Float64), _correct.to(ScalarType.Float64).reshape(1)]).cpu();
            values = all.data<double>().ToArray();
            _correct.zero_(); // in place; the view it returns goes with the scope
        }
        foreach (var loss in _losses) loss.Dispose();
        _losses.Clear();
        return (values[..^1], (long)values[^1]);
    }

    public void Dispose()
    {
        foreach (var loss in _losses) loss.Dispose();
        _losses.Clear();
        _correct.Dispose();
    }
}
