using Rekey.Build;
using Spectre.Console.Testing;

namespace Rekey.Workflows.Tests;

public sealed class BuildTargetTests
{
    public static TheoryData<string> Workflows => new(Workflow.FileNames);

    [Theory]
    [MemberData(nameof(Workflows))]
    public void Every_target_a_workflow_runs_is_a_task_of_the_build(string fileName)
    {
        var workflow = Workflow.Load(fileName);

        var unknown = workflow.Jobs
            .SelectMany(job => job.BuildCalls)
            .SelectMany(call => call.Targets.Where(t => !BuildTasks.Names.Contains(t)).Select(t => $"{call.Step}: --target={t}"))
            .ToList();

        Assert.True(
            unknown.Count == 0,
            $"Targets the build does not have (it has: {string.Join(", ", BuildTasks.Names.Order(StringComparer.Ordinal))}):\n{string.Join("\n", unknown)}");
    }

    [Theory]
    [MemberData(nameof(Workflows))]
    public void Every_build_call_names_its_target(string fileName)
    {
        var untargeted = Workflow.Load(fileName).Jobs.SelectMany(j => j.BuildCalls).Where(c => c.Targets.Count == 0).Select(c => $"{c.Step}: {c.Line}").ToList();

        Assert.True(untargeted.Count == 0, $"build.sh called without --target (it would run the default task):\n{string.Join("\n", untargeted)}");
    }

    [Fact]
    public async Task The_tasks_found_in_the_build_are_those_its_description_lists()
    {
        var console = new TestConsole();
        console.Profile.Width = 250;

        var exitCode = await RekeyBuild.CreateHost().UseConsole(console).RunAsync(["--description"]);

        Assert.Equal(0, exitCode);
        var listed = console.Lines
            .Select(line => line.Trim().Split(' ', 2)[0])
            .Where(BuildTasks.Names.Contains)
            .ToHashSet(StringComparer.Ordinal);
        Assert.NotEmpty(BuildTasks.Names);
        Assert.Equal(BuildTasks.Names.Order(StringComparer.Ordinal), listed.Order(StringComparer.Ordinal));
    }
}
