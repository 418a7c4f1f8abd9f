namespace Runner.Training;

/// <summary>The loss became NaN or infinite. Final: retrying the same config diverges again.</summary>
internal sealed class DivergedException(long step, double loss) : Exception($"diverged at step {step}")
{
    public long Step { get; } = step;
    public double Loss { get; } = loss;
}
