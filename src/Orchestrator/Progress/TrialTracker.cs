using Core.Contract;

namespace Orchestrator.Progress;

/// <summary>What the display knows about one running trial, updated from its Runner's progress events.</summary>
internal sealed class TrialTracker
{
    private DateTime _startedAt = DateTime.UtcNow;
    private long _resumedStep;

    public int Attempt { get; set; }
    public string Device { get; private set; } = "";
    public long TotalSteps { get; private set; }
    public int Epochs { get; private set; }
    public int Epoch { get; private set; }
    public long Step { get; private set; }
    public double Loss { get; private set; } = double.NaN;
    public double CharsPerSec { get; private set; } = double.NaN;
    public double ValLoss { get; private set; } = double.NaN;

    public void Apply(RunnerEvent e)
    {
        switch (e)
        {
            case StartEvent s:
                Device = s.Device;
                Epochs = s.Epochs;
                TotalSteps = s.Epochs * s.StepsPerEpoch;
                Step = _resumedStep = s.ResumedStep;
                _startedAt = DateTime.UtcNow;
                Epoch = TotalSteps > 0 && s.StepsPerEpoch > 0 ? (int)(s.ResumedStep / s.StepsPerEpoch) + 1 : 1;
                break;
            case StepEvent s:
                Epoch = s.Epoch;
                Step = s.Step;
                Loss = s.Loss;
                CharsPerSec = s.CharsPerSec;
                break;
            case EpochEvent ep:
                Epoch = ep.Epoch;
                Step = ep.Step;
                ValLoss = ep.ValLoss;
                if (double.IsFinite(ep.CharsPerSec)) CharsPerSec = ep.CharsPerSec;
                break;
        }
    }

    /// <summary>Time left at the step rate of this attempt (resumed steps excluded); null until it can be estimated.</summary>
    public TimeSpan? Eta
    {
        get
        {
            var done = Step - _resumedStep;
            var elapsed = (DateTime.UtcNow - _startedAt).TotalSeconds;
            if (done <= 0 || elapsed <= 0 || TotalSteps <= 0) return null;
            return TimeSpan.FromSeconds(Math.Max(0, TotalSteps - Step) * elapsed / done);
        }
    }

    public string StepText => TotalSteps > 0 ? $"{Step}/{TotalSteps}" : Step.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
