using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Rekey.Workflows.Tests;

/// <summary>
/// A local composite action (<c>uses: ./.github/actions/NAME</c>) read with YamlDotNet. A job's steps are
/// seen with each such step replaced by the action's own steps, their <c>${{ inputs.* }}</c> replaced by what
/// the job passes (or the input's default), as the runner does.
/// </summary>
public sealed partial class CompositeAction
{
    /// <summary>
    /// The input that carries a job's bash script. The action hands it to its run step through env (never
    /// pasted into run:), so <see cref="WorkflowStep.Script"/> of that step is the job's script.
    /// </summary>
    public const string ScriptInput = "script";

    private CompositeAction(string uses, YamlMappingNode root)
    {
        Uses = uses;
        Root = root;
    }

    /// <summary>The <c>uses:</c> path, e.g. <c>./.github/actions/rekey-job</c>.</summary>
    public string Uses { get; }

    public YamlMappingNode Root { get; }

    public YamlMappingNode? Runs => Workflow.Mapping(Root, "runs");

    public IReadOnlyDictionary<string, YamlMappingNode> Inputs =>
        Workflow.Mapping(Root, "inputs") is { } inputs
            ? inputs.Children.ToDictionary(i => ((YamlScalarNode)i.Key).Value!, i => (YamlMappingNode)i.Value, StringComparer.Ordinal)
            : new Dictionary<string, YamlMappingNode>();

    /// <summary>The action's outputs: name and the expression (over its own steps' outputs) that gives the value.</summary>
    public IReadOnlyDictionary<string, string> Outputs =>
        Workflow.Mapping(Root, "outputs") is { } outputs
            ? outputs.Children.ToDictionary(o => ((YamlScalarNode)o.Key).Value!, o => Workflow.Text((YamlMappingNode)o.Value, "value") ?? string.Empty, StringComparer.Ordinal)
            : new Dictionary<string, string>();

    /// <summary>The action's steps as written, with their expressions.</summary>
    public IReadOnlyList<YamlMappingNode> StepNodes =>
        Workflow.Child(Runs, "steps") is YamlSequenceNode steps ? steps.Children.Cast<YamlMappingNode>().ToList() : [];

    public static string ActionsFolder => Path.Combine(Workflow.RepositoryRoot, ".github", "actions");

    /// <summary>Every local action of the repository, as a workflow's <c>uses:</c> names it.</summary>
    public static IReadOnlyList<string> All =>
        Directory.Exists(ActionsFolder)
            ? Directory.EnumerateDirectories(ActionsFolder)
                .Where(d => File.Exists(Path.Combine(d, "action.yml")))
                .Select(d => "./.github/actions/" + Path.GetFileName(d))
                .Order(StringComparer.Ordinal)
                .ToList()
            : [];

    public static bool IsLocal(string? uses) => uses?.StartsWith("./", StringComparison.Ordinal) == true;

    public static string FilePath(string uses) => Path.Combine(Workflow.RepositoryRoot, uses[2..].Replace('/', Path.DirectorySeparatorChar), "action.yml");

    public static CompositeAction Load(string uses)
    {
        using var reader = new StreamReader(FilePath(uses));
        var stream = new YamlStream();
        stream.Load(reader);
        return new CompositeAction(uses, (YamlMappingNode)stream.Documents[0].RootNode);
    }

    /// <summary>
    /// The action's steps for one call: inputs replaced by the call's <c>with:</c> values or the defaults, and
    /// the steps left out whose <c>if: inputs.NAME != ''</c> fails for the call.
    /// </summary>
    public IReadOnlyList<(YamlMappingNode Node, string? Script)> StepsFor(IReadOnlyDictionary<string, string> with)
    {
        var unknown = with.Keys.Where(k => !Inputs.ContainsKey(k)).ToList();
        if (unknown.Count > 0)
        {
            throw new InvalidOperationException($"{Uses} has no input {string.Join(", ", unknown)}.");
        }

        var values = Inputs.ToDictionary(
            i => i.Key,
            i => with.TryGetValue(i.Key, out var given) ? given : Workflow.Text(i.Value, "default") ?? string.Empty,
            StringComparer.Ordinal);
        var steps = new List<(YamlMappingNode, string?)>();
        foreach (var step in StepNodes)
        {
            if (Workflow.Text(step, "if") is { } condition && NonEmptyInputCondition().Match(condition) is { Success: true } match
                && string.IsNullOrEmpty(values[match.Groups["name"].Value]))
            {
                continue;
            }

            var script = Workflow.Scalars(Workflow.Mapping(step, "env")).Values.Any(v => v == $"${{{{ inputs.{ScriptInput} }}}}")
                ? values[ScriptInput]
                : null;
            steps.Add(((YamlMappingNode)Substitute(step, values), script));
        }

        return steps;
    }

    private YamlNode Substitute(YamlNode node, IReadOnlyDictionary<string, string> values) =>
        node switch
        {
            YamlScalarNode scalar => new YamlScalarNode(scalar.Value is null ? null : InputPattern().Replace(scalar.Value, m =>
                values.TryGetValue(m.Groups["name"].Value, out var value) ? value : throw new InvalidOperationException($"{Uses} uses an undeclared input: {m.Value}"))),
            YamlSequenceNode sequence => new YamlSequenceNode(sequence.Children.Select(c => Substitute(c, values))),
            YamlMappingNode mapping => new YamlMappingNode(mapping.Children.Select(c => new KeyValuePair<YamlNode, YamlNode>(c.Key, Substitute(c.Value, values)))),
            _ => node,
        };

    [GeneratedRegex(@"\$\{\{\s*inputs\.(?<name>[A-Za-z0-9_-]+)\s*\}\}")]
    private static partial Regex InputPattern();

    [GeneratedRegex(@"^inputs\.(?<name>[A-Za-z0-9_-]+) != ''$")]
    private static partial Regex NonEmptyInputCondition();

    public override string ToString() => Uses;
}
