using System.Globalization;
using Core.Config;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Core.Spec;

/// <summary>
/// Reads a sweep spec (or a single-trial file) from YAML, reports every problem at once with
/// file:line:column, and expands the grid into trials.
/// </summary>
public static class SpecLoader
{
    private static readonly string[] Devices = ["auto", "cpu", "cuda"];

    /// <summary>The top-level keys of a sweep spec.</summary>
    private static readonly string[] SweepSections = ["name", .. Parameters.TrialSections, "execution", "grid", "repeats", "early_stopping", "search"];

    /// <summary>Parses, validates and expands a sweep spec. Throws <see cref="SpecException"/> listing every problem.</summary>
    public static SweepSpec Load(string path)
    {
        var (yaml, root, r) = Open(path);
        return Load(path, yaml, root, r);
    }

    /// <summary>
    /// Parses and validates a spec's text as recorded in the store (<c>sweeps.spec_yaml</c>), named
    /// <paramref name="path"/> in problems. A Slurm worker reads its sweep's execution settings this way.
    /// </summary>
    public static SweepSpec LoadText(string path, string yaml)
    {
        var (root, r) = Parse(path, yaml);
        return Load(path, yaml, root, r);
    }

    private static SweepSpec Load(string path, string yaml, YamlMappingNode root, Reader r)
    {
        string? name = null;
        var baseValues = new Dictionary<string, SpecValue>();
        var grid = new List<GridAxis>();
        var execution = new ExecutionConfig();
        var repeats = 1;
        EarlyStoppingConfig? earlyStopping = null;
        var search = new SearchConfig();
        YamlMappingNode? gridNode = null;

        foreach (var (keyNode, valueNode) in root.Children)
        {
            var key = ((YamlScalarNode)keyNode).Value ?? "";
            switch (key)
            {
                case "name":
                    name = ReadName(r, valueNode);
                    break;
                case "grid":
                    gridNode = r.Mapping(valueNode, "grid");
                    if (gridNode is not null) grid = ReadGrid(r, gridNode);
                    break;
                case "repeats":
                    repeats = r.Int(valueNode, "repeats", min: 1) ?? 1;
                    break;
                case "execution":
                    execution = ReadExecution(r, valueNode);
                    break;
                case "early_stopping":
                    earlyStopping = EarlyStoppingSection.Read(r, valueNode);
                    break;
                case "search":
                    search = SearchSection.Read(r, valueNode);
                    break;
                default:
                    if (Parameters.TrialSections.Contains(key)) ReadSection(r, key, valueNode, baseValues);
                    else r.Problem(keyNode, key, $"unknown section; {Suggest.Hint(key, SweepSections)}");
                    break;
            }
        }
        if (name is null && !r.Problems.Any(p => p.Field == "name")) r.Problem(root, "name", "the sweep needs a name (ASCII letters, digits, '-', '_' or '.')");
        if (gridNode is not null && gridNode.Children.Count == 0) r.Problem(gridNode, "grid", "is empty; list at least one parameter with its values, e.g. model.hidden: [256, 512]");

        foreach (var axis in grid.Where(a => a.Kind is not null && !search.Sampled))
            r.Problem(axis.Node, $"grid.{axis.Param.Path}", axis.Kind == Distributions.Choice
                ? "choice draws one of its values, which a grid does not: list the values plainly ([a, b]) to try each, or sample with search: { method: random, trials: 24 }"
                : $"{axis.Kind} is a distribution, which a grid cannot list: sample the space with search: {{ method: random, trials: 24 }}, or give a list of values");
        var trials = Expand(r, baseValues, grid, repeats, root, search, gridNode);
        r.ThrowIfAny();
        var axes = grid.Select(a => new SearchAxis(a.Param.Path, a.Kind ?? SearchAxis.List, a.Distribution?.Low, a.Distribution?.High)).ToList();
        return new SweepSpec(name!, path, yaml, execution, trials, earlyStopping, search, axes);
    }

    /// <summary>Parses and validates a single-trial file (sections data, model, train, probe, sample; no grid).</summary>
    public static TrialConfig LoadTrial(string path)
    {
        var (_, root, r) = Open(path);
        var values = new Dictionary<string, SpecValue>();
        foreach (var (keyNode, valueNode) in root.Children)
        {
            var key = ((YamlScalarNode)keyNode).Value ?? "";
            if (Parameters.TrialSections.Contains(key)) ReadSection(r, key, valueNode, values);
            else if (key is "grid" or "repeats" or "name" or "execution" or "early_stopping" or "search")
                r.Problem(keyNode, key, "belongs to a sweep spec, not to a single-trial file (sections data, model, train, probe, sample)");
            else r.Problem(keyNode, key, $"unknown section; {Suggest.Hint(key, Parameters.TrialSections)}");
        }
        var trials = Expand(r, values, [], 1, root, new SearchConfig(), null);
        r.ThrowIfAny();
        return trials[0].Config;
    }

    private static (string Yaml, YamlMappingNode Root, Reader R) Open(string path)
    {
        if (Directory.Exists(path))
            throw new SpecException([new SpecProblem(path, 0, 0, "file", $"is a folder; give a spec file (YAML){YamlFilesIn(path)}")]);
        if (!File.Exists(path))
            throw new SpecException([new SpecProblem(path, 0, 0, "file", "not found")]);
        var yaml = File.ReadAllText(path);
        var (root, r) = Parse(path, yaml);
        return (yaml, root, r);
    }

    private static (YamlMappingNode Root, Reader R) Parse(string path, string yaml)
    {
        var r = new Reader(path);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e) when (FlowBrackets.Unclosed(yaml) is { } u && e.Message.Contains("flow", StringComparison.OrdinalIgnoreCase))
        {
            throw new SpecException([new SpecProblem(path, u.Line, u.Column, "yaml", $"is not valid YAML: the '{u.Bracket}' here is never closed; add its '{(u.Bracket == '[' ? ']' : '}')}'")]);
        }
        catch (YamlException e)
        {
            throw new SpecException([new SpecProblem(path, (int)e.Start.Line, (int)e.Start.Column, "yaml", FirstLine(e.InnerException?.Message ?? e.Message))]);
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner throws this, without a position, on some unterminated flow collections.
            var at = FlowBrackets.Unclosed(yaml);
            throw new SpecException([at is { } u
                ? new SpecProblem(path, u.Line, u.Column, "yaml", $"is not valid YAML: the '{u.Bracket}' here is never closed; add its '{(u.Bracket == '[' ? ']' : '}')}'")
                : new SpecProblem(path, 0, 0, "yaml", "is not valid YAML (an unclosed [ or { ?)")]);
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new SpecException([new SpecProblem(path, 1, 1, "file", "must be a YAML mapping with sections such as data:, model:, train: and grid:")]);
        foreach (var key in root.Children.Keys.Where(k => k is not YamlScalarNode))
            r.Problem(key, "key", "must be a plain name");
        r.ThrowIfAny();
        return (root, r);
    }

    private static string? ReadName(Reader r, YamlNode node)
    {
        var text = r.Scalar(node, "name");
        if (text is null) return null;
        if (SweepName.Problem(text) is not { } problem) return text;
        r.Problem(node, "name", problem);
        return null;
    }

    private static void ReadSection(Reader r, string section, YamlNode node, Dictionary<string, SpecValue> values)
    {
        var mapping = r.Mapping(node, section);
        if (mapping is null) return;
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? "";
            var field = $"{section}.{key}";
            if (!Parameters.ByPath.TryGetValue(field, out var param))
            {
                r.Problem(keyNode, field, $"unknown key; {Suggest.Hint(key, Parameters.KeysOf(section))}");
                continue;
            }
            if (r.ParamValue(param, valueNode, field) is { } ok) values[field] = new SpecValue(ok.Value, valueNode);
        }
    }

    private static List<GridAxis> ReadGrid(Reader r, YamlMappingNode gridNode)
    {
        var grid = new List<GridAxis>();
        foreach (var (keyNode, valueNode) in gridNode.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? "";
            if (!Parameters.ByPath.TryGetValue(key, out var param))
            {
                r.Problem(keyNode, $"grid.{key}", $"names no parameter; {Suggest.Hint(key, Parameters.ByPath.Keys)}");
                continue;
            }
            if (valueNode is YamlMappingNode distribution)
            {
                if (SearchSection.ReadDistribution(r, param, distribution, $"grid.{key}", seq => ReadValues(r, param, seq, key)) is { } sampled) grid.Add(sampled);
                continue;
            }
            if (valueNode is not YamlSequenceNode seq)
            {
                r.Problem(valueNode, $"grid.{key}", "must be a list of values, e.g. [256, 512, 1024], or with search: { method: random } a distribution, e.g. { log_uniform: [0.0005, 0.005] }");
                continue;
            }
            if (ReadValues(r, param, seq, key) is { Count: > 0 } values) grid.Add(new GridAxis(param, values, seq));
        }
        return grid;
    }

    /// <summary>The values of a grid list (or a choice), each read as the parameter's type; null when the list is empty.</summary>
    private static List<GridValue>? ReadValues(Reader r, Param param, YamlSequenceNode seq, string key)
    {
        if (seq.Children.Count == 0)
        {
            r.Problem(seq, $"grid.{key}", "is an empty list; give at least one value");
            return null;
        }
        var values = new List<GridValue>();
        var seen = new HashSet<string>();
        foreach (var item in seq.Children)
        {
            if (r.ParamValue(param, item, $"grid.{key}") is not { } ok) continue;
            var text = ((YamlScalarNode)item).Value ?? "";
            if (!seen.Add(text)) { r.Problem(item, $"grid.{key}", $"lists '{text}' twice"); continue; }
            values.Add(new GridValue(ok.Value, text, item));
        }
        return values;
    }

    /// <summary>
    /// The keys of <c>execution:</c>, each with how its value is read into the config: the one list of
    /// them (unknown keys are told the nearest of these).
    /// </summary>
    private static readonly IReadOnlyList<(string Key, Func<Reader, YamlNode, string, ExecutionConfig, ExecutionConfig> Read)> ExecutionKeys =
    [
        ("device", (r, node, field, e) => e with { Device = r.OneOf(node, field, Devices) ?? e.Device }),
        ("parallel", (r, node, field, e) => e with { Parallel = r.Int(node, field, min: 1) ?? e.Parallel }),
        ("retries", (r, node, field, e) => e with { Retries = r.Int(node, field, min: 0) ?? e.Retries }),
        ("lease_seconds", (r, node, field, e) =>
        {
            var lease = r.Double(node, field);
            if (lease is < 1) r.Problem(node, field, $"must be at least 1 second, got {lease}");
            else if (lease is not null) e = e with { Lease = TimeSpan.FromSeconds(lease.Value) };
            return e;
        }),
        ("threads_per_trial", (r, node, field, e) => e with { ThreadsPerTrial = r.Int(node, field, min: 0) ?? e.ThreadsPerTrial }),
        ("executor", (r, node, field, e) => e with { Executor = r.OneOf(node, field, Executors.All) ?? e.Executor }),
        ("slurm", (r, node, _, e) => e with { Slurm = SlurmSection.Read(r, node) }),
        // auto, bundled or a folder; the folder itself is checked when a run resolves it.
        ("libtorch", (r, node, field, e) => e with { Libtorch = r.Scalar(node, field) ?? e.Libtorch }),
        ("gpus", (r, node, field, e) => e with { Gpus = GpuExecution.ReadGpus(r, node, field) }),
        ("trials_per_gpu", (r, node, field, e) => e with { TrialsPerGpu = r.Int(node, field, min: 0) ?? e.TrialsPerGpu }),
        ("mps", (r, node, field, e) => e with { Mps = r.OneOf(node, field, MpsSetting.All, ignoreCase: true) ?? e.Mps }),
        ("db_outage_seconds", (r, node, field, e) =>
        {
            var seconds = r.Double(node, field);
            if (seconds is < 0) r.Problem(node, field, $"must be 0 or more seconds (how long a database outage is ridden out), got {seconds}");
            else if (seconds is not null) e = e with { DbOutage = TimeSpan.FromSeconds(seconds.Value) };
            return e;
        }),
    ];

    private static ExecutionConfig ReadExecution(Reader r, YamlNode node)
    {
        var e = new ExecutionConfig();
        var mapping = r.Mapping(node, "execution");
        if (mapping is null) return e;
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? "";
            var field = $"execution.{key}";
            var reader = ExecutionKeys.FirstOrDefault(k => k.Key == key).Read;
            if (reader is null) r.Problem(keyNode, field, $"unknown key; {Suggest.Hint(key, ExecutionKeys.Select(k => k.Key))}");
            else e = reader(r, valueNode, field, e);
        }
        return e;
    }

    /// <summary>
    /// The trials, each validated: the grid's cartesian product (first key slowest) × repeats, in grid
    /// order; or with <c>search: { method: random }</c> <c>trials</c> draws × repeats, draw i from
    /// <see cref="TrialDraws"/>(seed, i) (a draw that repeats an earlier trial is that trial, listed once).
    /// A grid's trials are checked one at a time and returned as <see cref="GridTrials"/>, which builds each when asked.
    /// More than <c>search.max_trials</c> is refused before anything is expanded.
    /// </summary>
    private static IReadOnlyList<PlannedTrial> Expand(Reader r, Dictionary<string, SpecValue> baseValues, List<GridAxis> grid, int repeats, YamlNode root,
        SearchConfig search, YamlNode? gridNode)
    {
        var baseConfig = new TrialConfig();
        foreach (var (field, spec) in baseValues) baseConfig = Parameters.ByPath[field].Apply(baseConfig, spec.Value);

        if (search.Sampled && search.Trials is null) return []; // its problem is recorded
        var count = search.Sampled ? (double)search.Trials!.Value * repeats : grid.Aggregate((double)repeats, (n, axis) => n * axis.Values.Count);
        if (count > search.MaxTrials)
        {
            var product = search.Sampled
                ? $"{search.Trials} draws"
                : string.Join(" × ", grid.Select(a => $"{a.Values.Count} {a.Param.Path}"));
            r.Problem(gridNode ?? root, "grid", $"expands to {count.ToString("N0", CultureInfo.InvariantCulture)} trials ({product}{(repeats > 1 ? $" × {repeats} repeats" : "")}), "
                + $"more than search.max_trials ({search.MaxTrials.ToString("N0", CultureInfo.InvariantCulture)}); raise search.max_trials if you mean it"
                + (search.Sampled ? "" : ", or sample the space with search: { method: random, trials: N }"));
            return [];
        }
        foreach (var axis in grid.Where(a => a.Distribution is not null))
            foreach (var bound in new[] { axis.Distribution!.Low, axis.Distribution.High })
                if (axis.Param.Check?.Invoke(axis.Param.Apply(baseConfig, axis.Param.Typed(bound.ToString("R", CultureInfo.InvariantCulture)))) is { } problem)
                    r.Problem(axis.Node, $"grid.{axis.Param.Path}", $"bound {bound.ToString(CultureInfo.InvariantCulture)} {problem}");

        var reported = new HashSet<string>();
        void Check(TrialConfig config, IReadOnlyList<(Param Param, GridValue Value)> combo)
        {
            foreach (var problem in TrialConfigValidator.Validate(config))
            {
                var node = combo.FirstOrDefault(g => g.Param.Path == problem.Field).Value?.Node
                           ?? (baseValues.TryGetValue(problem.Field, out var b) ? b.Node : root);
                var field = combo.Any(g => g.Param.Path == problem.Field) ? $"grid.{problem.Field}" : problem.Field;
                if (reported.Add($"{node.Start}|{field}|{problem.Message}")) r.Problem(node, field, problem.Message);
            }
        }

        if (!search.Sampled)
        {
            // Checked one at a time and kept as a list that builds each trial when asked: a big grid holds no configs.
            var lazy = new GridTrials(baseConfig, grid, repeats, (int)count);
            var materialize = count <= GridTrials.LazyAbove;
            for (var cell = 0; cell < count / repeats; cell++)
            {
                var combo = new List<(Param Param, GridValue Value)>(grid.Count);
                var rest = cell;
                for (var k = grid.Count - 1; k >= 0; k--)
                {
                    (rest, var at) = Math.DivRem(rest, grid[k].Values.Count);
                    combo.Insert(0, (grid[k].Param, grid[k].Values[at]));
                }
                for (var repeat = 0; repeat < repeats; repeat++) Check(GridTrials.Configure(baseConfig, combo, repeat), combo);
            }
            return materialize ? lazy.ToList() : lazy;
        }

        var trials = new List<PlannedTrial>();
        var ids = new HashSet<string>();
        for (var i = 0; i < search.Trials!.Value; i++)
        {
            var draws = new TrialDraws(search.Seed, i);
            var combo = grid.Select(axis => (axis.Param, axis.Draw(draws.Next()))).ToList();
            for (var repeat = 0; repeat < repeats; repeat++)
            {
                var config = GridTrials.Configure(baseConfig, combo, repeat);
                Check(config, combo);
                var id = config.Id();
                if (ids.Add(id)) trials.Add(new PlannedTrial(id, config, trials.Count, combo.ToDictionary(g => g.Param.Path, g => g.Item2.Text), repeat));
            }
        }
        return trials;
    }

    private static string FirstLine(string s) => s.Split('\n')[0].Trim();

    /// <summary>", e.g. DIR/a.yaml or DIR/b.yaml" for up to three YAML files in the folder; "" if it has none.</summary>
    private static string YamlFilesIn(string folder) =>
        FolderExamples.Of(folder, fit: f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal));
}
