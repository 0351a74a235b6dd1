using Rekey.Runtime;
using Rekey.Strategies;

namespace Rekey.Checks;

/// <summary>
/// A Switchover's claim, read from AWS when it ends: its deployment is SWITCHOVER_COMPLETED, the cluster under blue's
/// name is on this run's key (so it is the former green), the old blue is there under its new name, and no other run
/// holds the lock.
/// </summary>
public static class SwitchoverRead
{
    public static async Task RequireAsync(RekeyRun run, string? resolvedKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var key = await ExpectedKey.ArnAsync(run, resolvedKey, cancellationToken).ConfigureAwait(false);
        var (final, clusters) = await FinalRead.ReadWithClustersAsync(run, key, cancellationToken).ConfigureAwait(false);
        var read = FinalRead.Items(run, final);

        // The final read's clusters hold the old blue, and the state's read the deployment (by its tagged id): no call of their own.
        var state = await BlueGreenState.OfAsync(run, clusters, cancellationToken).ConfigureAwait(false);
        var id = state.BlueTags.GetValueOrDefault(BlueGreenDeployments.DeploymentTag) ?? state.Deployment?.BlueGreenDeploymentIdentifier;

        var deployment = id is null ? null : state.Deployment?.BlueGreenDeploymentIdentifier == id
            ? state.Deployment
            : await BlueGreenDeployments.FindAsync(run, id, cancellationToken).ConfigureAwait(false);
        read.Check(
            deployment?.Status == "SWITCHOVER_COMPLETED",
            $"Blue/Green deployment {id} is SWITCHOVER_COMPLETED",
            deployment is null
                ? $"AWS shows no Blue/Green deployment {id ?? "of Rekey's"} for {run.ClusterId}."
                : $"AWS shows Blue/Green deployment {id} {deployment.Status}, not SWITCHOVER_COMPLETED.");
        var oldBlueId = BlueGreenDeployments.OldBlueId(run.ClusterId);
        var oldBlue = state.OldBlue;
        read.Check(
            oldBlue is not null,
            $"the old blue is {oldBlueId} ({oldBlue?.Status})",
            $"AWS shows no DB cluster named {oldBlueId} with this cutover's tags, where the switchover leaves the old blue.");
        ReadAtTheEnd.Require(run, "Switchover", $"{run.ClusterId} was switched over to its green on {key}", read);
    }
}
