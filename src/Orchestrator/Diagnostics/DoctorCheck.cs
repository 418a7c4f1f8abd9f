namespace Orchestrator.Diagnostics;

/// <summary>ok: fine; warn: works, but worth knowing; fail: a run would fail.</summary>
internal enum CheckStatus { Ok, Warn, Fail }

/// <summary>One finding of <c>orchestrator doctor</c>: what was checked, how it stands, in one line for people, and the figures behind it.</summary>
internal sealed record DoctorCheck(string Name, CheckStatus Status, string Finding, IReadOnlyDictionary<string, object?>? Details = null)
{
    public static DoctorCheck Ok(string name, string finding, IReadOnlyDictionary<string, object?>? details = null) => new(name, CheckStatus.Ok, finding, details);
    public static DoctorCheck Warn(string name, string finding, IReadOnlyDictionary<string, object?>? details = null) => new(name, CheckStatus.Warn, finding, details);
    public static DoctorCheck Fail(string name, string finding, IReadOnlyDictionary<string, object?>? details = null) => new(name, CheckStatus.Fail, finding, details);
}

/// <summary>Everything <c>orchestrator doctor</c> found; <see cref="Failed"/> names the checks that would make a run fail.</summary>
internal sealed record DoctorReport(IReadOnlyList<DoctorCheck> Checks)
{
    public IReadOnlyList<string> Failed => Checks.Where(c => c.Status == CheckStatus.Fail).Select(c => c.Name).ToList();
    public bool Ok => Failed.Count == 0;
}
