using Runner.Checkpoints;
using Runner.Model;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Runner.Training;

/// <summary>
/// Puts a freshly built model (on the CPU) and its optimizer where training continues, in the one
/// order that is right on every device: the checkpoint's weights → <c>model.to(device)</c> → Adam
/// over the moved parameters → Adam's state → the RNG. TorchSharp's <c>Module.load</c> moves a
/// module that is not on the CPU to the CPU and back, and <c>Module.to</c> replaces parameter
/// tensors; an optimizer built before either holds tensors the model no longer uses.
/// </summary>
internal static class ResumeOrder
{
    /// <summary>Returns the optimizer of <paramref name="model"/>, which ends on <paramref name="device"/>; without a checkpoint, both start fresh.</summary>
    public static OptimizerHelper Apply(CharRnn model, CheckpointFile? checkpoint, Device device, double lr)
    {
        checkpoint?.LoadModel(model);
        model.to(device);
        var optimizer = optim.Adam(model.parameters().ToList(), lr); // a list: Adam holds the tensors it keys its state by, not a query of the model
        try
        {
            checkpoint?.LoadOptimizer(optimizer);
            checkpoint?.RestoreRng();
            return optimizer;
        }
        catch
        {
            optimizer.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Throws unless the optimizer updates exactly the model's parameter tensors: the same native
    /// handles, and its state (Adam's moments, keyed by handle) found for each. Otherwise training
    /// would fail at the first step, or go on updating tensors the model no longer uses.
    /// </summary>
    public static void RequireModelParameters(CharRnn model, OptimizerHelper optimizer)
    {
        var ours = model.named_parameters().Select(p => (p.name, Handle: HandleOf(p.parameter))).ToList();
        var its = optimizer.parameters().Select(HandleOf).ToList();
        var missing = ours.Where(p => p.Handle == IntPtr.Zero || !its.Contains(p.Handle)).Select(p => p.name).ToList();
        var problem = missing.Count > 0 ? $"it does not hold {string.Join(", ", missing)} ({its.Count} tensors against the model's {ours.Count})"
            : its.Count != ours.Count ? $"it holds {its.Count} tensors against the model's {ours.Count}"
            : !StateFound(optimizer) ? "its state is keyed by tensors that are no longer the model's"
            : null;
        if (problem is null) return;
        throw new InvalidOperationException(
            $"the optimizer does not fit the model's parameters: {problem}. Something replaced the model's parameter tensors after the optimizer " +
            "was built (Module.load or Module.to on a GPU do); load the weights on the CPU, move the model, then build the optimizer");
    }

    private static bool StateFound(OptimizerHelper optimizer)
    {
        try
        {
            optimizer.state_dict();
            return true;
        }
        catch (KeyNotFoundException)
        {
            return false;
        }
    }

    private static IntPtr HandleOf(Tensor t) => t.IsInvalid ? IntPtr.Zero : t.Handle;
}
