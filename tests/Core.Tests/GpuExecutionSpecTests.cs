using Core.Spec;
using TestSupport;

namespace Core.Tests;

/// <summary>The execution keys about GPUs and libtorch: libtorch, gpus, trials_per_gpu, mps.</summary>
public sealed class GpuExecutionSpecTests : IDisposable
{
    private readonly TempDir dir = new("gpu-spec");

    public void Dispose() => dir.Dispose();

    private string Spec(string execution) => dir.Write($"{Guid.NewGuid():N}.yaml", $"""
        name: g
        model: {"{"} hidden: 16 {"}"}
        execution: {execution}
        """ + "\n");

    [Fact]
    public void The_defaults_are_auto_everywhere_and_no_limit_per_gpu()
    {
        var e = SpecLoader.Load(Spec("{ device: auto }")).Execution;
        Assert.Equal((LibtorchSetting.Auto, (IReadOnlyList<int>?)null, 0, MpsSetting.Auto), (e.Libtorch, e.Gpus, e.TrialsPerGpu, e.Mps));
    }

    [Fact]
    public void A_gpu_list_trials_per_gpu_mps_and_a_libtorch_folder_are_read_as_written()
    {
        var e = SpecLoader.Load(Spec("{ gpus: [0, 2, 3], trials_per_gpu: 2, mps: true, libtorch: /opt/torch/lib }")).Execution;
        Assert.Equal([0, 2, 3], e.Gpus!);
        Assert.Equal((2, MpsSetting.On, "/opt/torch/lib"), (e.TrialsPerGpu, e.Mps, e.Libtorch));
        Assert.Null(SpecLoader.Load(Spec("{ gpus: auto, mps: False, libtorch: bundled }")).Execution.Gpus);
        Assert.Equal(MpsSetting.Off, SpecLoader.Load(Spec("{ mps: False }")).Execution.Mps);
    }

    [Fact]
    public void Bad_gpu_settings_are_reported_together_at_their_place()
    {
        var path = dir.Write("bad.yaml", """
            name: g
            execution:
              gpus: [0, 0, x]
              trials_per_gpu: -1
              mps: sometimes
              gpu: [1]
            """);
        var e = Assert.Throws<SpecException>(() => SpecLoader.Load(path));

        string Where(int line, int col) => $"{path}:{line}:{col}:";
        Assert.Contains($"{Where(3, 13)} execution.gpus: lists GPU 0 twice", e.Message);
        Assert.Contains($"{Where(3, 16)} execution.gpus: lists 'x', which is not a CUDA device id (0, 1, …)", e.Message);
        Assert.Contains($"{Where(4, 19)} execution.trials_per_gpu: must be at least 0, got -1", e.Message);
        Assert.Contains($"{Where(5, 8)} execution.mps: must be one of auto, true, false, got 'sometimes'", e.Message);
        Assert.Contains($"{Where(6, 3)} execution.gpu: unknown key; did you mean 'gpus'?", e.Message);
        Assert.Equal(5, e.Problems.Count);
    }

    [Fact]
    public void An_empty_gpu_list_or_a_single_id_says_how_to_write_it()
    {
        var empty = Assert.Throws<SpecException>(() => SpecLoader.Load(Spec("{ gpus: [] }")));
        Assert.Contains("execution.gpus: is an empty list; write auto (every GPU visible to the process) or list CUDA device ids, e.g. [0, 1]", empty.Message);
        var scalar = Assert.Throws<SpecException>(() => SpecLoader.Load(Spec("{ gpus: 1 }")));
        Assert.Contains("execution.gpus: must be auto or a list;", scalar.Message);
    }
}
