using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Rekey.Workflows.Tests;

/// <summary>One job of a workflow.</summary>
public sealed partial class WorkflowJob(Workflow workflow, string id, YamlMappingNode node)
{
    public const string ConfigureAwsCredentials = "aws-actions/configure-aws-credentials";

    public Workflow Workflow { get; } = workflow;

    public string Id { get; } = id;

    public YamlMappingNode Node { get; } = node;

    /// <summary>The GitHub environment the job runs in (<c>environment: x</c> or <c>environment: { name: x }</c>).</summary>
    public string? Environment =>
        Workflow.Child(Node, "environment") switch
        {
            YamlScalarNode scalar => scalar.Value,
            YamlMappingNode mapping => Workflow.Text(mapping, "name"),
            _ => null,
        };

    public IReadOnlyList<string> Needs =>
        Workflow.Child(Node, "needs") switch
        {
            YamlScalarNode scalar => [scalar.Value!],
            YamlSequenceNode sequence => sequence.Children.Select(n => ((YamlScalarNode)n).Value!).ToList(),
            _ => [],
        };

    /// <summary>The job's permissions, or the workflow's when the job sets none (as GitHub applies them).</summary>
    public IReadOnlyDictionary<string, string> EffectivePermissions =>
        Workflow.Scalars(Workflow.Mapping(Node, "permissions") ?? Workflow.Mapping(Workflow.Root, "permissions"));

    public bool CanWriteIdToken =>
        EffectivePermissions.TryGetValue("id-token", out var level) && level == "write";

    public IReadOnlyDictionary<string, string> Env => Workflow.Scalars(Workflow.Mapping(Node, "env"));

    /// <summary>A variable as the job's steps see it: the job's env over the workflow's.</summary>
    public string? EnvValue(string name) =>
        Env.TryGetValue(name, out var value) ? value : Workflow.Env.GetValueOrDefault(name);

    public string? TimeoutMinutes => Workflow.Text(Node, "timeout-minutes");

    public string? Condition => Workflow.Text(Node, "if");

    public YamlMappingNode? Strategy => Workflow.Mapping(Node, "strategy");

    public YamlMappingNode? Concurrency => Workflow.Mapping(Node, "concurrency");

    /// <summary>The job's steps as written, a local composite action being one step.</summary>
    public IReadOnlyList<WorkflowStep> OwnSteps =>
        Workflow.Child(Node, "steps") is YamlSequenceNode steps
            ? steps.Children.Select((s, i) => new WorkflowStep(this, i, (YamlMappingNode)s)).ToList()
            : [];

    /// <summary>The steps the runner runs: the job's own, each local composite action replaced by its steps for this call.</summary>
    public IReadOnlyList<WorkflowStep> Steps =>
        OwnSteps.SelectMany(step => CompositeAction.IsLocal(step.Uses)
                ? CompositeAction.Load(step.Uses!).StepsFor(step.With).Select((s, i) => new WorkflowStep(this, i, s.Node, step, s.Script))
                : [step])
            .ToList();

    /// <summary>The steps that assume an AWS role (aws-actions/configure-aws-credentials with role-to-assume).</summary>
    public IReadOnlyList<WorkflowStep> RoleSteps =>
        Steps.Where(s => s.Uses?.StartsWith(ConfigureAwsCredentials + "@", StringComparison.Ordinal) == true && s.With.ContainsKey("role-to-assume")).ToList();

    public bool AssumesRole => RoleSteps.Count > 0;

    /// <summary>Every call of build.sh in the job's scripts.</summary>
    public IReadOnlyList<BuildCall> BuildCalls =>
        Steps.Where(s => s.Script is not null)
            .SelectMany(s => s.Script!.Split('\n').Where(line => line.Contains("build.sh", StringComparison.Ordinal)).Select(line => BuildCall.Parse(s, line)))
            .ToList();

    /// <summary>Whether any build call of the job can change AWS.</summary>
    public bool Mutates => BuildCalls.Any(c => c.Mutates);

    public override string ToString() => $"{Workflow.FileName}: {Id}";
}

/// <summary>One step of a job, or of a composite action the job uses (<paramref name="caller"/> is then the job's step).</summary>
public sealed class WorkflowStep(WorkflowJob job, int index, YamlMappingNode node, WorkflowStep? caller = null, string? script = null)
{
    public WorkflowJob Job { get; } = job;

    public YamlMappingNode Node { get; } = node;

    public string? Uses => Workflow.Text(Node, "uses");

    public string? Run => Workflow.Text(Node, "run");

    /// <summary>The job's step that uses the composite action this step belongs to; null for the job's own steps.</summary>
    public WorkflowStep? Caller { get; } = caller;

    /// <summary>The bash the step runs: its run:, or the job's script a composite action's step runs (<see cref="CompositeAction.ScriptInput"/>).</summary>
    public string? Script { get; } = script ?? Workflow.Text(node, "run");

    public IReadOnlyDictionary<string, string> With => Workflow.Scalars(Workflow.Mapping(Node, "with"));

    public override string ToString() =>
        Caller is null
            ? $"{Job}, step {index + 1} ({Workflow.Text(Node, "name") ?? Uses ?? "run"})"
            : $"{Caller}, its step {index + 1} ({Workflow.Text(Node, "name") ?? Uses ?? "run"})";
}

/// <summary>One <c>./build.sh ...</c> command line of a run script.</summary>
public sealed partial record BuildCall(WorkflowStep Step, string Line, IReadOnlyList<string> Targets, string? Confirm, bool DryRun)
{
    /// <summary>A call changes AWS unless it runs with a literal --dryrun or none of its targets changes AWS (as the build marks them).</summary>
    public bool Mutates => !DryRun && Targets.Any(BuildTasks.ChangesAws);

    /// <summary>A call known to change nothing: a literal --dryrun, or targets the build has and none of them changes AWS.</summary>
    public bool ReadsOnly => DryRun || Targets.All(t => BuildTasks.Names.Contains(t) && !BuildTasks.ChangesAws(t));

    public static BuildCall Parse(WorkflowStep step, string line)
    {
        var targets = TargetPattern().Matches(line).Select(m => m.Groups["target"].Value).ToList();
        var confirm = ConfirmPattern().Match(line) is { Success: true } match ? match.Groups["value"].Value : null;
        return new BuildCall(step, line.Trim(), targets, confirm, DryRunPattern().IsMatch(line));
    }

    [GeneratedRegex(@"--target[= ](?<target>[A-Za-z0-9_-]+)")]
    private static partial Regex TargetPattern();

    [GeneratedRegex(@"--confirm=(?<value>""[^""]*""|\S+)")]
    private static partial Regex ConfirmPattern();

    [GeneratedRegex(@"(^|\s)--dryrun(\s|$)")]
    private static partial Regex DryRunPattern();
}
