namespace Core.Spec;

/// <summary>One problem in a spec file, located at the YAML node that caused it.</summary>
public sealed record SpecProblem(string File, int Line, int Column, string Field, string Message)
{
    public override string ToString() =>
        Line > 0 ? $"{File}:{Line}:{Column}: {Field}: {Message}" : $"{File}: {Field}: {Message}";
}

/// <summary>A spec that cannot be used; the message lists every problem, one per line.</summary>
public sealed class SpecException(IReadOnlyList<SpecProblem> problems)
    : Exception(string.Join(Environment.NewLine, problems.Select(p => p.ToString())))
{
    public IReadOnlyList<SpecProblem> Problems { get; } = problems;
}
