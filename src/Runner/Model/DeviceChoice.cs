using TorchSharp;
using static TorchSharp.torch;

namespace Runner.Model;

/// <summary>Resolves --device: auto picks CUDA when libtorch sees a GPU, else the CPU.</summary>
internal static class DeviceChoice
{
    public static readonly string[] Names = ["auto", "cpu", "cuda"];

    public static Device Resolve(string name) => name switch
    {
        "auto" => cuda.is_available() ? CUDA : CPU,
        "cpu" => CPU,
        "cuda" when cuda.is_available() => CUDA,
        "cuda" => throw new BadInputException("--device cuda: CUDA is not available to this Runner: it needs an NVIDIA GPU and a CUDA build of libtorch "
                                          + "(a CUDA-capable PyTorch's, through execution.libtorch: auto or its lib folder; the bundled one is a CPU build); use --device cpu or auto"),
        _ => throw new BadInputException($"--device must be one of {string.Join(", ", Names)}, got '{name}'"),
    };

    /// <summary>The device's name as recorded with the trial: cpu or cuda.</summary>
    public static string NameOf(Device device) => device.type == DeviceType.CUDA ? "cuda" : "cpu";
}
