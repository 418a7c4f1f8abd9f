namespace Core.Config;

/// <summary>One thing wrong with a config: the dotted field (e.g. <c>model.hidden</c>) and what would be right.</summary>
public sealed record ConfigProblem(string Field, string Message)
{
    public override string ToString() => $"{Field}: {Message}";
}
