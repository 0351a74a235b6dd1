using Amazon.Runtime;
using Microsoft.Extensions.Logging;
using Rekey.Aws.RDS.Model;
using Rekey.Aws.RDS;
using Rekey.Clusters;
using Rekey.Runtime;
using Rekey.State;
using Rekey.Strategies;

namespace Rekey.BlueGreen;

/// <summary>The Cleanup step of a Blue/Green cutover; its rules are Cleanup's (<see cref="RestoreSwap.Cleanup.Rules"/>), shared by both strategies.</summary>
public static class BlueGreenCleanup
{
    /// <summary>After --min-age since the switchover: a final snapshot of the old blue, then it and the deployment object are deleted.</summary>
    public static async Task RunAsync(RekeyRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var state = await BlueGreenState.ReadAsync(run, cancellationToken).ConfigureAwait(false);
        await Forecast.DressRehearsalForecast.ReportStrayAsync(run, "Cleanup", cancellationToken).ConfigureAwait(false);
        if (state.OldBlue is null && await WasCleanedUpAsync(run, cancellationToken).ConfigureAwait(false))
        {
            run.Journal.Add(
                "Cleanup",
                $"The old blue {BlueGreenDeployments.OldBlueId(run.ClusterId)} is gone "
                    + $"and its final snapshot {RestoreSwap.Cleanup.FinalSnapshotName(BlueGreenDeployments.OldBlueId(run.ClusterId))} exists; nothing to clean up.");
            return;
        }

        var oldBlue = state.OldBlue ?? throw new InvalidOperationException($"{run.ClusterId} has no switched-over Blue/Green cutover: there is no old blue to clean up.");
        if (state.Phase is not (BlueGreenDeployments.Verified or "cleaning"))
        {
            throw new InvalidOperationException($"The Blue/Green cutover of {run.ClusterId} is not verified (phase {state.Phase ?? "none"}); run Verify first.");
        }

        var switchedAt = state.BlueTags.TryGetValue(BlueGreenDeployments.SwitchedAtTag, out var text)
            ? DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture)
            : throw new InvalidOperationException($"{oldBlue.DBClusterIdentifier} carries no switchover time.");
        var now = await AwsClock.NowAsync(run, cancellationToken).ConfigureAwait(false);
        if (now - switchedAt < run.Settings.MinAge)
        {
            throw new InvalidOperationException(
                $"The switchover of {run.ClusterId} is {(now - switchedAt).TotalHours:0.#} hours old; Cleanup waits {run.Settings.MinAge.TotalHours:0.#} hours (--min-age). "
                    + $"Run it after {Tagging.Iso(switchedAt + run.Settings.MinAge)}, or give a shorter --min-age.");
        }

        await ClusterLock.AcquireAsync(run, oldBlue, cancellationToken).ConfigureAwait(false);
        await run.Rds.AddAsync(oldBlue.DBClusterArn!, RekeyTags.Phase, "cleaning", cancellationToken).ConfigureAwait(false);

        // The deployment object first: AWS deletes it without its target after SWITCHOVER_COMPLETED, and the old blue is not its target.
        if (state.Deployment is { Status: not "DELETING" } deployment)
        {
            try
            {
                await run.Rds.DeleteBlueGreenDeploymentAsync(
                    new DeleteBlueGreenDeploymentRequest { BlueGreenDeploymentIdentifier = deployment.BlueGreenDeploymentIdentifier },
                    cancellationToken).ConfigureAwait(false);
                run.Journal.Add("Cleanup", $"Deleted Blue/Green deployment {deployment.BlueGreenDeploymentIdentifier}.");
            }
            catch (AmazonServiceException exception) when (exception.ErrorCode == "BlueGreenDeploymentNotFoundFault")
            {
                // Deleted by an earlier attempt.
            }
        }

        var oldBlueRun = oldBlue.DBClusterIdentifier!;
        await OldClusterDeletion.DeleteWithFinalSnapshotAsync(run, oldBlueRun, "Cleanup", cancellationToken).ConfigureAwait(false);
        run.Log.LogInformation("Deleted {Old} after its final snapshot, and the Blue/Green deployment; the result is read from AWS next", oldBlueRun);
    }

    /// <summary>
    /// A Blue/Green Cleanup finished (or its last deletion is under way): the old blue is gone and its final snapshot,
    /// which Cleanup takes before deleting it, exists. A resumed Cleanup has nothing left to do then.
    /// </summary>
    public static async Task<bool> WasCleanedUpAsync(RekeyRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var oldBlue = BlueGreenDeployments.OldBlueId(run.ClusterId);
        if (await new ClusterReader(run.Rds).FindClusterAsync(oldBlue, cancellationToken).ConfigureAwait(false) is { Status: not "deleting" })
        {
            return false;
        }

        try
        {
            var snapshots = await run.Rds.DescribeDBClusterSnapshotsAsync(
                new DescribeDBClusterSnapshotsRequest { DBClusterSnapshotIdentifier = RestoreSwap.Cleanup.FinalSnapshotName(oldBlue) }, cancellationToken).ConfigureAwait(false);
            return snapshots.DBClusterSnapshots is { Count: > 0 };
        }
        catch (DBClusterSnapshotNotFoundException)
        {
            return false;
        }
    }
}
