using Core.Config;
using Core.Contract;
using Runner.Model;
using static TorchSharp.torch;

namespace Runner.Tests;

/// <summary>What the Runner reports when it fails, and the size estimate that validation relies on to refuse hopeless models.</summary>
public sealed class FailureTests
{
    [Fact]
    public void A_failed_libtorch_allocation_is_out_of_memory_with_a_one_line_message_for_people()
    {
        var e = Assert.ThrowsAny<Exception>(() => empty(1L << 40, 1L << 20)); // 2^60 floats
        var failure = RunnerFailure.Of(e);

        Assert.Equal(FailureKind.OutOfMemory, failure.Kind);
        Assert.StartsWith("out of memory: DefaultCPUAllocator: can't allocate memory: you tried to allocate 4611686018427387904 bytes", failure.Message);
        Assert.DoesNotContain("\n", failure.Message);
        Assert.DoesNotContain("enforce fail", failure.Message);
        Assert.Equal(RunnerExitCode.OutOfMemory, RunnerExitCode.For(failure.Kind));
    }

    [Fact]
    public void Other_exceptions_are_crashes_named_by_type_and_first_line_and_bad_input_keeps_its_message()
    {
        Assert.Equal(new FailureEvent(FailureKind.Crashed, "IOException: The file '/r/checkpoints/abc' already exists."),
            RunnerFailure.Of(new IOException("The file '/r/checkpoints/abc' already exists.\nmore detail")));
        Assert.Equal(new FailureEvent(FailureKind.BadInput, "probe.text has characters the vocabulary lacks: 'Z'"),
            RunnerFailure.Of(new BadInputException("probe.text has characters the vocabulary lacks: 'Z'")));
        Assert.Equal(new FailureEvent(FailureKind.Diverged, "diverged at step 2"), RunnerFailure.Of(new Training.DivergedException(2, double.NaN)));
    }

    [Theory]
    [InlineData("rnn", 1)]
    [InlineData("gru", 1)]
    [InlineData("lstm", 1)]
    [InlineData("gru", 3)]
    [InlineData("lstm", 2)]
    public void The_size_estimate_counts_exactly_the_parameters_torch_allocates(string cell, int layers)
    {
        var config = new ModelConfig { Cell = cell, Embedding = 12, Hidden = 20, Layers = layers };
        using var model = new CharRnn(config, vocabSize: 31);
        Assert.Equal(model.ParameterCount(), ModelSize.Parameters(config, 31));
    }
}
