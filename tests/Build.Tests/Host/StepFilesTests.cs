using System.Reflection;
using Cake.Frosting;
using Rekey.Build.Infrastructure;
using Rekey.Safety;

namespace Rekey.Build.Tests.Host;

/// <summary>One step, one file: a task's logic and rules are found from its name in one hop.</summary>
public sealed class StepFilesTests
{
    /// <summary>Tasks that are not one step of Rekey's, and why their code has another name.</summary>
    private static readonly Dictionary<string, string> NotSteps = new(StringComparer.Ordinal)
    {
        ["Backup"] = "composite target: runs BackupPreflight, ConfigureBackup and VerifyBackup",
        ["Cutover"] = "composite target: runs the steps of the strategy it chooses",
        ["ProvisionGreen"] = "composite target: runs CreateBlueGreen, WaitForGreen and VerifyGreen",
        ["Rehearse"] = "drives the whole tool against the local sandbox; its code is build/SandboxRehearsal, not src/Rekey",
        ["Benchmark"] = "repeats the rehearsal and times it; its code is build/SandboxRehearsal, not src/Rekey",
        ["Sandbox"] = "serves src/Rekey.Sandbox, the other side of the wire; it is no step on AWS",
    };

    [Fact]
    public void Every_step_task_maps_to_one_file_of_the_same_name_under_src_Rekey()
    {
        var root = RepositoryRoot();
        var sources = Directory.EnumerateFiles(Path.Combine(root, "src", "Rekey"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(root, f).Replace(Path.DirectorySeparatorChar, '/'))
            .ToList();
        var problems = new List<string>();
        foreach (var task in TaskNames())
        {
            if (!File.Exists(Path.Combine(root, "build", "Tasks", $"{task}Task.cs")))
            {
                problems.Add($"{task}: its task class is not in build/Tasks/{task}Task.cs");
            }

            var named = sources.Where(f => Path.GetFileName(f) == $"{task}.cs").ToList();
            if (NotSteps.ContainsKey(task))
            {
                continue;
            }

            if (named.Count != 1)
            {
                problems.Add($"{task}: {named.Count} files named {task}.cs under src/Rekey ({string.Join(", ", named)}); expected exactly one");
            }
        }

        var stale = NotSteps.Keys.Except(TaskNames(), StringComparer.Ordinal).ToList();
        problems.AddRange(stale.Select(s => $"{s} is listed as an exception but is no task any more"));
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void Every_step_declares_its_rules_in_the_class_and_file_named_after_it()
    {
        var root = RepositoryRoot();
        var problems = new List<string>();
        foreach (var rules in StepCatalog.All)
        {
            var type = StepCatalog.DeclaringTypeOf(rules);
            var file = StepCatalog.SourceOf(rules);
            if (type.Name != rules.Step)
            {
                problems.Add($"{rules.Step}: its rules are declared by {type.FullName}, not by a class named {rules.Step}");
            }

            if (!File.Exists(Path.Combine(root, file)) || Path.GetFileNameWithoutExtension(file) != rules.Step)
            {
                problems.Add($"{rules.Step}: its rules' class {type.FullName} is not in a file named {rules.Step}.cs ({file})");
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
        Assert.Equal("src/Rekey/BlueGreen/CreateBlueGreen.cs", StepCatalog.SourceOf(StepCatalog.Find("CreateBlueGreen")!));
    }

    private static IReadOnlyList<string> TaskNames() =>
        typeof(StepsPage).Assembly.GetTypes()
            .Where(t => t.Namespace == "Rekey.Build.Tasks")
            .Select(t => t.GetCustomAttribute<TaskNameAttribute>()?.Name)
            .OfType<string>()
            .ToList();

    private static string RepositoryRoot()
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
}
