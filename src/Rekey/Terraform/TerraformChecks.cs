using Microsoft.Extensions.Logging;
using Rekey.Runtime;

namespace Rekey.Terraform;

/// <summary>The Terraform hand-off as Preflight and Verify see it: the plan given with --terraform-plan, read again at the step.</summary>
public static class TerraformChecks
{
    public static void BeforeCutover(RekeyRun run, string? targetKeyArn, List<string> blocks)
    {
        if (run.Settings.TerraformPlan is not { } path)
        {
            return;
        }

        foreach (var problem in Problems(run, path, afterCutover: false, targetKeyArn))
        {
            blocks.Add(problem + " Do not apply that plan; the cutover will not start while it would.");
        }
    }

    public static void AfterCutover(RekeyRun run, string? targetKeyArn, Checks.Checklist checks)
    {
        ArgumentNullException.ThrowIfNull(checks);
        if (run.Settings.TerraformPlan is not { } path)
        {
            run.Journal.Add("Verify", TerraformHandOff.Step(run.ClusterId, targetKeyArn));
            return;
        }

        var found = Problems(run, path, afterCutover: true, targetKeyArn);
        if (found.Count == 0)
        {
            var passed = $"the Terraform plan {path} replaces and deletes none of {run.ClusterId}'s resources";
            checks.Pass(passed);
            run.Journal.Add("Verify", char.ToUpperInvariant(passed[0]) + passed[1..] + ".");
            run.Log.LogInformation("Terraform: {Check}.", passed);
        }

        foreach (var problem in found)
        {
            checks.Fail(problem);
        }
    }

    private static IReadOnlyList<string> Problems(RekeyRun run, string path, bool afterCutover, string? targetKeyArn)
    {
        try
        {
            return TerraformHandOff.Problems(TerraformPlanFile.Load(path), run.ClusterId, afterCutover, targetKeyArn);
        }
        catch (TerraformPlanException exception)
        {
            // Read once when the run started; it changed since.
            return [exception.Message];
        }
    }
}
