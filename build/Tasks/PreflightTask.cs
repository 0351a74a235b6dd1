using Cake.Core.Diagnostics;
using Cake.Frosting;
using Rekey.Forecast;
using Rekey.Migration;

namespace Rekey.Build.Tasks;

/// <summary>
/// Read only. Lists every reason the cutover cannot start (and every warning) at once; when the cluster
/// already uses the requested key, says so and lets the following steps skip.
/// </summary>
[TaskName(nameof(Preflight))]
[TaskDescription("Checks the cluster, the key, the old names and what depends on the cluster; changes nothing.")]
public sealed class PreflightTask : AsyncFrostingTask<RekeyContext>
{
    public override async Task RunAsync(RekeyContext context)
    {
        var report = await Preflight.RunAsync(context.Run, context.CancellationToken);
        if (context.Targets.Contains(nameof(DressRehearsal), StringComparer.OrdinalIgnoreCase))
        {
            // The dress rehearsal's own refusals come here, before PrepareKey may create a key for it.
            var problems = await DressRehearsal.ProblemsAsync(context.Run, context.CancellationToken);
            report = report with { Blocks = [.. report.Blocks, .. problems] };
        }

        if (context.Targets.Contains(nameof(PrepareBlueGreenParametersTask)[..^"Task".Length], StringComparer.OrdinalIgnoreCase)
            && report.BlueGreen is { ParameterBlockers.Count: > 0 } verdict)
        {
            // What PrepareBlueGreenParameters is run to fix does not stop it (Blue/Green is the only way for an unencrypted cluster).
            var fixedByTheStep = verdict.ParameterBlockers.Select(b => "Blue/Green: " + b).ToHashSet(StringComparer.Ordinal);
            report = report with { Blocks = [.. report.Blocks.Where(b => !fixedByTheStep.Contains(b))] };
        }

        context.Preflight = report;

        if (report.StrategyReason is { } reason)
        {
            context.Log.Information("Strategy for {0}: {1}. {2}", report.ClusterId, Rekey.Configuration.CutoverStrategies.Name(report.Strategy), reason);
        }

        foreach (var warning in report.Warnings)
        {
            context.Log.Warning("Warning: {0}", warning);
        }

        // What could not be measured is said where it is read, with where to look instead; never counted as passed.
        foreach (var item in report.Checks.Where(i => i.Outcome == Rekey.Checks.CheckOutcome.NotMeasured))
        {
            context.Log.Warning("{0}", item);
        }

        if (report.NothingToDo)
        {
            context.Log.Information("{0} already uses {1}: nothing to do.", report.ClusterId, report.TargetKeyArn ?? "the requested key");
            return;
        }

        if (!report.Passed)
        {
            if (context.PlanOnly)
            {
                // The plan names the blockers next to both strategies; PlanTask fails the run once it is written.
                context.Log.Warning("Preflight of {0} found {1} blocking problem(s); the plan lists them.", report.ClusterId, report.Blocks.Count);
                return;
            }

            throw new PreflightFailedException(report);
        }

        context.Log.Information("Preflight passed{0}.", report.Resuming ? " (resuming a cutover under way)" : string.Empty);
        if (context.Settings.ApprovedPlan is { } approved && !context.PlanOnly)
        {
            await ApprovedPlan.CheckAsync(context.Run, report, approved, context.CancellationToken);
        }
    }
}
