using YamlDotNet.RepresentationModel;

namespace Rekey.Workflows.Tests;

/// <summary>A GitHub Actions workflow file read with YamlDotNet, with the parts these tests look at.</summary>
public sealed class Workflow
{
    private Workflow(string fileName, YamlMappingNode root)
    {
        FileName = fileName;
        Root = root;
        Jobs = Mapping(root, "jobs") is { } jobs
            ? jobs.Children.Select(j => new WorkflowJob(this, ((YamlScalarNode)j.Key).Value!, (YamlMappingNode)j.Value)).ToList()
            : [];
    }

    public string FileName { get; }

    public YamlMappingNode Root { get; }

    public IReadOnlyList<WorkflowJob> Jobs { get; }

    /// <summary>The <c>workflow_dispatch</c> inputs by name; empty when the workflow is not dispatched by hand.</summary>
    public IReadOnlyDictionary<string, YamlMappingNode> DispatchInputs =>
        Mapping(Mapping(Mapping(Root, "on"), "workflow_dispatch"), "inputs") is { } inputs
            ? inputs.Children.ToDictionary(i => ((YamlScalarNode)i.Key).Value!, i => (YamlMappingNode)i.Value, StringComparer.Ordinal)
            : new Dictionary<string, YamlMappingNode>();

    /// <summary>The workflow-level <c>env</c>.</summary>
    public IReadOnlyDictionary<string, string> Env => Scalars(Mapping(Root, "env"));

    public WorkflowJob Job(string id) =>
        Jobs.SingleOrDefault(j => j.Id == id) ?? throw new InvalidOperationException($"{FileName} has no job '{id}'.");

    /// <summary>Every scalar of the workflow outside its <c>on:</c> section, i.e. everywhere an expression can be used.</summary>
    public IEnumerable<string> ScalarsOutsideTriggers() =>
        Root.Children
            .Where(entry => ((YamlScalarNode)entry.Key).Value != "on")
            .SelectMany(entry => AllScalars(entry.Value));

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string WorkflowsFolder => Path.Combine(RepositoryRoot, ".github", "workflows");

    public static IReadOnlyList<string> FileNames =>
        Directory.EnumerateFiles(WorkflowsFolder)
            .Where(f => f.EndsWith(".yml", StringComparison.Ordinal) || f.EndsWith(".yaml", StringComparison.Ordinal))
            .Select(Path.GetFileName)
            .Order(StringComparer.Ordinal)
            .ToList()!;

    public static Workflow Load(string fileName)
    {
        using var reader = new StreamReader(Path.Combine(WorkflowsFolder, fileName));
        var stream = new YamlStream();
        stream.Load(reader);
        return new Workflow(fileName, (YamlMappingNode)stream.Documents[0].RootNode);
    }

    internal static YamlMappingNode? Mapping(YamlNode? node, string key) =>
        Child(node, key) as YamlMappingNode;

    internal static YamlNode? Child(YamlNode? node, string key) =>
        node is YamlMappingNode mapping && mapping.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child : null;

    internal static string? Text(YamlNode? node, string key) =>
        (Child(node, key) as YamlScalarNode)?.Value;

    internal static IReadOnlyDictionary<string, string> Scalars(YamlMappingNode? mapping) =>
        mapping is null
            ? new Dictionary<string, string>()
            : mapping.Children
                .Where(c => c.Value is YamlScalarNode)
                .ToDictionary(c => ((YamlScalarNode)c.Key).Value!, c => ((YamlScalarNode)c.Value).Value ?? string.Empty, StringComparer.Ordinal);

    internal static IEnumerable<string> AllScalars(YamlNode node) =>
        node switch
        {
            YamlScalarNode scalar => scalar.Value is null ? [] : [scalar.Value],
            YamlSequenceNode sequence => sequence.Children.SelectMany(AllScalars),
            YamlMappingNode mapping => mapping.Children.SelectMany(c => AllScalars(c.Key).Concat(AllScalars(c.Value))),
            _ => [],
        };

    private static string FindRepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Rekey.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No Rekey.sln above {AppContext.BaseDirectory}.");
    }

    public override string ToString() => FileName;
}
