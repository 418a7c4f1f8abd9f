using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace RunnerBench;

/// <summary>The device's float32 matrix-multiply rate: the ceiling a training loop's FLOPs are compared against.</summary>
public static class Matmul
{
    public static double GigaflopsPerSecond(int n, Device device, int repeats = 5)
    {
        using var scope = torch.NewDisposeScope();
        var a = randn(n, n, device: device);
        var b = randn(n, n, device: device);
        mm(a, b).Dispose(); // warm-up
        BareLoop.Synchronize(device);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < repeats; i++) mm(a, b).Dispose();
        BareLoop.Synchronize(device);
        return 2.0 * n * n * n * repeats / clock.Elapsed.TotalSeconds / 1e9;
    }
}
