using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Rekey.Workflows.Tests;

/// <summary>Third-party actions run exactly the code that was reviewed, and Dependabot keeps the pins current.</summary>
public sealed partial class SupplyChainTests
{
    /// <summary>Every workflow and every local composite action, as files relative to the repository.</summary>
    public static TheoryData<string> Files => new(FileList);

    private static IReadOnlyList<string> FileList =>
        Workflow.FileNames.Select(f => $".github/workflows/{f}").Concat(CompositeAction.All.Select(a => a[2..] + "/action.yml")).ToList();

    [Theory]
    [MemberData(nameof(Files))]
    public void Every_third_party_action_is_pinned_to_a_full_commit_sha_with_its_version_in_a_comment(string file)
    {
        var lines = File.ReadAllLines(Path.Combine(Workflow.RepositoryRoot, file));
        var uses = lines.Select((line, i) => (Line: line, Number: i + 1, Match: UsesPattern().Match(line))).Where(u => u.Match.Success).ToList();

        Assert.NotEmpty(uses);
        var unpinned = uses
            .Where(u => !CompositeAction.IsLocal(u.Match.Groups["action"].Value))
            .Where(u => !PinnedPattern().IsMatch(u.Match.Groups["action"].Value) || !VersionComment().IsMatch(u.Match.Groups["comment"].Value))
            .Select(u => $"{file}:{u.Number}: {u.Line.Trim()}")
            .ToList();

        Assert.True(unpinned.Count == 0, $"Not pinned as owner/repo@<40-hex sha> # vX.Y.Z:\n{string.Join("\n", unpinned)}");
    }

    [Fact]
    public void Each_action_is_pinned_to_one_commit_everywhere()
    {
        var pins = FileList
            .SelectMany(f => File.ReadAllLines(Path.Combine(Workflow.RepositoryRoot, f)))
            .Select(line => UsesPattern().Match(line))
            .Where(m => m.Success && !CompositeAction.IsLocal(m.Groups["action"].Value))
            .Select(m => (Action: m.Groups["action"].Value.Split('@')[0], Pin: $"{m.Groups["action"].Value.Split('@')[1]} {m.Groups["comment"].Value.Trim()}"))
            .Distinct()
            .GroupBy(p => p.Action)
            .Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(p => p.Pin))}")
            .ToList();

        Assert.True(pins.Count == 0, $"Actions pinned to different commits:\n{string.Join("\n", pins)}");
    }

    [Fact]
    public void Dependabot_updates_the_actions_of_the_workflows_and_the_composite_actions_and_the_nuget_packages_weekly()
    {
        var path = Path.Combine(Workflow.RepositoryRoot, ".github", "dependabot.yml");
        Assert.True(File.Exists(path), "No .github/dependabot.yml.");
        var stream = new YamlStream();
        using (var reader = new StreamReader(path))
        {
            stream.Load(reader);
        }

        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        Assert.Equal("2", Workflow.Text(root, "version"));
        var updates = ((YamlSequenceNode)Workflow.Child(root, "updates")!).Children.Cast<YamlMappingNode>().ToList();
        IReadOnlySet<string> Directories(YamlMappingNode update) =>
            (Workflow.Text(update, "directory") is { } one ? [one] : Workflow.AllScalars(Workflow.Child(update, "directories")!)).ToHashSet(StringComparer.Ordinal);

        var actions = updates.Single(u => Workflow.Text(u, "package-ecosystem") == "github-actions");
        var nuget = updates.Single(u => Workflow.Text(u, "package-ecosystem") == "nuget");

        Assert.Contains("/", Directories(actions));
        foreach (var action in CompositeAction.All)
        {
            Assert.Contains(action[1..], Directories(actions));
        }

        Assert.Contains("/", Directories(nuget));
        Assert.All(new[] { actions, nuget }, u => Assert.Equal("weekly", Workflow.Text(Workflow.Mapping(u, "schedule"), "interval")));
    }

    [Fact]
    public void Ci_installs_its_python_tools_at_pinned_versions()
    {
        var ci = Workflow.Load("ci.yml");
        var install = ci.Jobs.SelectMany(j => j.Steps).Single(s => s.Run?.Contains("pip install", StringComparison.Ordinal) == true);
        Assert.Contains("-r tests/requirements.txt", install.Run, StringComparison.Ordinal);

        var requirements = File.ReadAllLines(Path.Combine(Workflow.RepositoryRoot, "tests", "requirements.txt"))
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .ToList();
        Assert.All(requirements, r => Assert.Matches(@"^[A-Za-z0-9_.\-]+(\[[a-z,]+\])?==\d+(\.\d+)+$", r));
        Assert.Equal(["awscli", "boto3", "botocore", "moto[server]"], requirements.Select(r => r.Split("==")[0]).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_workflows_are_linted_once_by_the_ci_entry_point()
    {
        var ci = Workflow.Load("ci.yml");
        var scripts = string.Join("\n", ci.Jobs.SelectMany(j => j.Steps).Select(s => s.Run ?? string.Empty));

        Assert.DoesNotContain("lint.sh", scripts, StringComparison.Ordinal);
        Assert.Contains("bash .ci/run", scripts, StringComparison.Ordinal);
        Assert.Contains("bash tests/workflows/lint.sh", File.ReadAllText(Path.Combine(Workflow.RepositoryRoot, ".ci", "run")), StringComparison.Ordinal);
    }

    [Fact]
    public void Ci_reports_test_results_to_the_run_through_the_github_actions_logger()
    {
        var step = Workflow.Load("ci.yml").Jobs.SelectMany(j => j.Steps).Single(s => s.Run == "bash .ci/run");
        var settings = Workflow.Scalars(Workflow.Mapping(step.Node, "env"))["RunSettingsFilePath"];
        Assert.Equal("${{ github.workspace }}/tests/github-actions.runsettings", settings);

        var document = System.Xml.Linq.XDocument.Load(Path.Combine(Workflow.RepositoryRoot, "tests", "github-actions.runsettings"));
        Assert.Contains(document.Descendants("Logger"), l => (string?)l.Attribute("friendlyName") == "GitHubActions");
        Assert.Contains("GitHubActionsTestLogger", File.ReadAllText(Path.Combine(Workflow.RepositoryRoot, "tests", "Directory.Build.props")), StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^\s*(-\s+)?uses:\s*(?<action>[^\s#]+)\s*(?<comment>#.*)?$")]
    private static partial Regex UsesPattern();

    [GeneratedRegex(@"^[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[0-9a-f]{40}$")]
    private static partial Regex PinnedPattern();

    [GeneratedRegex(@"^#\s*v\d+(\.\d+)*\s*$")]
    private static partial Regex VersionComment();
}
