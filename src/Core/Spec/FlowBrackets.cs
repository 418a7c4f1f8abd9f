namespace Core.Spec;

/// <summary>
/// Finds the flow collection (<c>[</c> or <c>{</c>) a YAML text leaves unclosed, for the error of a
/// spec YamlDotNet cannot read and gives no position for. Quoted strings and comments are skipped;
/// a bracket inside a plain word (<c>a[b</c>) is not an opener.
/// </summary>
internal static class FlowBrackets
{
    /// <summary>The 1-based line and column of the first opener never closed (or closed by the wrong bracket), with the bracket; null when every one is closed.</summary>
    public static (int Line, int Column, char Bracket)? Unclosed(string yaml)
    {
        var open = new Stack<(int Line, int Column, char Bracket)>();
        var lines = yaml.Split('\n');
        for (var l = 0; l < lines.Length; l++)
        {
            var text = lines[l];
            char? quote = null;
            for (var c = 0; c < text.Length; c++)
            {
                var ch = text[c];
                if (quote is { } q)
                {
                    if (ch == q && q == '\'' && c + 1 < text.Length && text[c + 1] == '\'') c++;
                    else if (ch == '\\' && q == '"') c++;
                    else if (ch == q) quote = null;
                    continue;
                }
                var start = c == 0 || char.IsWhiteSpace(text[c - 1]) || text[c - 1] is '[' or '{' or ',' or ':';
                if (ch == '#' && (c == 0 || char.IsWhiteSpace(text[c - 1]))) break;
                if (ch is '\'' or '"' && start) quote = ch;
                else if (ch is '[' or '{' && (start || open.Count > 0)) open.Push((l + 1, c + 1, ch));
                else if (ch is ']' or '}' && open.Count > 0)
                {
                    var top = open.Pop();
                    if ((top.Bracket == '[') != (ch == ']')) return top;
                }
            }
        }
        return open.Count > 0 ? open.Reverse().First() : null;
    }
}
