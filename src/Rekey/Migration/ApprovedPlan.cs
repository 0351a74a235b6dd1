using Microsoft.Extensions.Logging;
using Rekey.Configuration;
using Rekey.Runtime;

namespace Rekey.Migration;

/// <summary>
/// Holds a cutover to the plan that was approved (<c>--approved-plan</c>): right after Preflight, before any change, the
/// plan is made again from what AWS shows now and compared with the approved one; any difference refuses the cutover.
/// </summary>
public static class ApprovedPlan
{
    public static async Task CheckAsync(RekeyRun run, PreflightReport preflight, string approved, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(preflight);
        ArgumentNullException.ThrowIfNull(approved);
        if (preflight.Resuming)
        {
            // This run's own steps changed the cluster since its plan; the plan was held to when the run started.
            run.Log.LogInformation("Resuming a cutover under way: its approved plan was checked when it started.");
            return;
        }

        var now = (await Plan.BuildAsync(run, preflight, cancellationToken).ConfigureAwait(false)).Approval!;
        var digest = now.Value();
        if (approved.StartsWith("sha256:", StringComparison.Ordinal))
        {
            if (digest != approved)
            {
                throw new PlanChangedException(
                    $"What the cutover of {run.ClusterId} would do now (plan {digest}) is not the approved plan {approved}; nothing was changed. "
                    + $"Now: strategy {now.Strategy}, key {now.TargetKey ?? "none"}, {now.Names.Count} names, {now.Settings.Count} settings, dress rehearsal {now.DressRehearsal ?? "none"}. "
                    + $"Give the approved plan.json as --{ArgumentNames.ApprovedPlan} to have each difference named, or run Plan again and have the new plan approved.");
            }
        }
        else
        {
            var then = PlanDigest.FromPlanJson(await File.ReadAllTextAsync(approved, cancellationToken).ConfigureAwait(false))
                ?? throw new InvalidArgumentsException($"--{ArgumentNames.ApprovedPlan}={approved} holds no plan digest (no 'approval'): give a plan.json written by Plan, or its digest.");
            var differences = now.DifferencesFrom(then);
            if (differences.Count > 0)
            {
                throw new PlanChangedException(
                    $"What the cutover of {run.ClusterId} would do now (plan {digest}) differs from the approved plan {then.Value()} ({approved}); nothing was changed. "
                    + "Run Plan again and have the new plan approved. What changed:" + Environment.NewLine
                    + string.Join(Environment.NewLine, differences.Select(d => "- " + d)));
            }
        }

        run.Log.LogInformation("The cutover of {Cluster} is the approved plan {Digest}.", run.ClusterId, digest);
    }
}
