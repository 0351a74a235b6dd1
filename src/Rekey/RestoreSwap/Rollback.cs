using Microsoft.Extensions.Logging;
using Rekey.Aws.RDS.Model;
using Rekey.Clusters;
using Rekey.Metrics;
using Rekey.Runtime;
using Rekey.State;
using Rekey.Waiting;
using Rekey.Safety;
using Rekey.Aws.RDS;
using Rekey.Migration;

namespace Rekey.RestoreSwap;

/// <summary>
/// Brings the old cluster back under its original names from wherever a cutover stopped: deletes what
/// the cutover created (with a final snapshot when the new cluster took writes), renames the old cluster
/// and instances back, and re-creates their custom endpoints. The old cluster's data is never touched.
/// </summary>
public static class Rollback
{
    /// <summary>Both strategies' rollbacks: it deletes the new cluster or the green, never the old cluster.</summary>
    public static StepRules Rules { get; } = StepRules.Of(
        "Rollback", LockRule.Hold, ClusterExpectation.SourceExists, checksTargetKey: false,
        StepRules.RdsTags,
        StepRules.Rds(
            nameof(IAmazonRDS.DeleteDBClusterAsync),
            nameof(IAmazonRDS.DeleteDBInstanceAsync),
            nameof(IAmazonRDS.ModifyDBClusterAsync),
            nameof(IAmazonRDS.ModifyDBInstanceAsync),
            nameof(IAmazonRDS.CreateDBClusterEndpointAsync),
            nameof(IAmazonRDS.DeleteDBClusterEndpointAsync),
            nameof(IAmazonRDS.RegisterDBProxyTargetsAsync),
            nameof(IAmazonRDS.DeregisterDBProxyTargetsAsync),
            nameof(IAmazonRDS.DeleteBlueGreenDeploymentAsync)))
        .Reading(
            StepRules.ClusterReads,
            StepRules.AwsClockRead,
            StepRules.TargetKeyRead,
            StepRules.DeploymentRead,
            StepRules.CloudWatch("GetMetricData"),
            StepRules.Rds(nameof(IAmazonRDS.DescribeDBProxiesAsync), nameof(IAmazonRDS.DescribeDBProxyTargetsAsync)));

    public static async Task RunAsync(RekeyRun run, CancellationToken cancellationToken)
    {
        var reader = new ClusterReader(run.Rds);
        var state = await MigrationState.ReadAsync(run, cancellationToken).ConfigureAwait(false);
        var source = state.Source;
        if (source is null)
        {
            throw new InvalidOperationException(state.Target is not null
                ? $"The old cluster of {run.ClusterId} is gone (cleaned up); there is nothing to roll back to."
                : $"DB cluster {run.ClusterId} has no cutover to roll back.");
        }

        if (!state.IsRenamed && state.Target is null && source.Tag(RekeyTags.Role) is null)
        {
            run.Log.LogInformation("{Cluster} was never fenced; nothing to roll back", run.ClusterId);
            run.Journal.Add("Rollback", $"{run.ClusterId} was never fenced; nothing to roll back.");
            return;
        }

        await ClusterLock.AcquireAsync(run, source, cancellationToken).ConfigureAwait(false);
        var definition = state.Definition
            ?? throw new InvalidOperationException($"The old cluster {source.DBClusterIdentifier} carries no recorded definition; restore its names by hand.");

        string? snapshot = null;
        if (state.Target is { } target)
        {
            await ProxyTargets.MoveAsync(run, run.ClusterId, run.OldClusterId, "Rollback", cancellationToken).ConfigureAwait(false);
            snapshot = await DeleteNewClusterAsync(run, reader, target, cancellationToken).ConfigureAwait(false);
        }

        await RenameBackAsync(run, reader, definition, cancellationToken).ConfigureAwait(false);
        await ProxyTargets.MoveAsync(run, run.OldClusterId, run.ClusterId, "Rollback", cancellationToken).ConfigureAwait(false);
        await CustomEndpoints.CreateAsync(run, definition, run.ClusterId, "Rollback", clusterTags: null, cancellationToken).ConfigureAwait(false);
        await ForgetAsync(run, reader, definition, cancellationToken).ConfigureAwait(false);
        if (snapshot is not null)
        {
            // The writes the new cluster took after the fence are not in the old cluster: say where they are.
            run.Log.LogWarning(
                "Any writes the new cluster took after the fence are not in the old cluster; they are kept in DB cluster snapshot {Snapshot}, not in {Cluster}. Restore that snapshot to recover them.",
                snapshot,
                run.ClusterId);
        }
    }

    /// <summary>Deletes the new cluster after a final snapshot that keeps whatever it took; returns the snapshot's name.</summary>
    private static async Task<string?> DeleteNewClusterAsync(RekeyRun run, ClusterReader reader, DBCluster target, CancellationToken cancellationToken)
    {
        // Only a cluster Rekey created (tagged as the target of this old cluster) is ever deleted here.
        if (target.Tag(RekeyTags.Source) != run.OldClusterId)
        {
            throw new InvalidOperationException($"DB cluster {run.ClusterId} is not the one Rekey restored from {run.OldClusterId}; Rollback will not delete it.");
        }

        var tookWrites = await TookWritesAsync(run, target, cancellationToken).ConfigureAwait(false);
        await Strategies.OldClusterDeletion.DeleteInstancesAsync(
            run,
            reader,
            run.ClusterId,
            "the new cluster's instances to be deleted",
            id => ("Rollback", $"Deleting instance {id} of the new cluster."),
            cancellationToken).ConfigureAwait(false);

        // Always a final snapshot: CloudWatch publishes commits per minute and often late, so "no commit seen" never
        // proves that the new cluster took no writes, and a write lost in a rollback cannot be brought back.
        var snapshot = $"{run.ClusterId}-rekey-rollback-{run.RunId}".ToLowerInvariant();
        await Strategies.OldClusterDeletion.DeleteClusterAsync(
            run,
            reader,
            new DeleteDBClusterRequest { DBClusterIdentifier = run.ClusterId, SkipFinalSnapshot = false, FinalDBSnapshotIdentifier = snapshot },
            $"the new cluster {run.ClusterId} to be deleted",
            ("Rollback", $"Deleting the new cluster {run.ClusterId} after final snapshot {snapshot} ({tookWrites})."),
            cancellationToken).ConfigureAwait(false);
        return snapshot;
    }

    /// <summary>What CloudWatch shows of the new cluster's commits, for the journal: a count, or why it was not measured.</summary>
    private static async Task<string> TookWritesAsync(RekeyRun run, DBCluster target, CancellationToken cancellationToken)
    {
        try
        {
            var now = await AwsClock.NowAsync(run, cancellationToken).ConfigureAwait(false);
            var since = target.ClusterCreateTime is { } created ? new DateTimeOffset(DateTime.SpecifyKind(created, DateTimeKind.Utc)) : now.AddDays(-1);
            var points = await RdsMetricsReader.ReadAsync(run.CloudWatch, "CommitThroughput", "DBClusterIdentifier", run.ClusterId, "Sum", MetricWindow.Between(since, now, 60), cancellationToken)
                .ConfigureAwait(false);
            return points.Count == 0
                ? "its commits are not measured: CloudWatch has no CommitThroughput data point for it yet"
                : $"CloudWatch counts {points.Sum(p => p.Value):0} commits so far; its latest minutes may not be published yet";
        }
        catch (Amazon.Runtime.AmazonServiceException exception)
        {
            run.Log.LogWarning("Could not read CommitThroughput of {Cluster} ({Message}); keeping a final snapshot", run.ClusterId, exception.Message);
            return $"its commits are not measured: {exception.Message}";
        }
    }

    private static async Task RenameBackAsync(RekeyRun run, ClusterReader reader, SourceDefinition definition, CancellationToken cancellationToken)
    {
        var renamed = await reader.FindClusterAsync(run.OldClusterId, cancellationToken).ConfigureAwait(false);
        if (renamed is not null && renamed.IsAvailable())
        {
            await run.Rds.ModifyDBClusterAsync(
                new ModifyDBClusterRequest { DBClusterIdentifier = run.OldClusterId, NewDBClusterIdentifier = run.ClusterId, ApplyImmediately = true }, cancellationToken).ConfigureAwait(false);
            run.Journal.Add("Rollback", $"Renamed the old cluster {run.OldClusterId} back to {run.ClusterId}.");
        }

        await run.Wait.UntilAsync(
            $"the old cluster to be available as {run.ClusterId}",
            run.Wait.Settings.RenameDeadline,
            async token =>
            {
                var cluster = await reader.FindClusterAsync(run.ClusterId, token).ConfigureAwait(false);
                return cluster is not null && cluster.IsAvailable() ? Probe<bool>.Ready(true, "available") : Probe<bool>.NotYet(false, cluster?.Status ?? "not there yet");
            },
            cancellationToken).ConfigureAwait(false);

        foreach (var instance in definition.Instances)
        {
            var old = await reader.FindInstanceAsync(run.OldNameOf(instance.Id), cancellationToken).ConfigureAwait(false);
            if (old is not null && old.IsAvailable() && old.Tags().GetValueOrDefault(RekeyTags.OriginalId) == instance.Id)
            {
                await run.Rds.ModifyDBInstanceAsync(
                    new ModifyDBInstanceRequest { DBInstanceIdentifier = old.DBInstanceIdentifier, NewDBInstanceIdentifier = instance.Id, ApplyImmediately = true },
                    cancellationToken).ConfigureAwait(false);
                run.Journal.Add("Rollback", $"Renamed instance {old.DBInstanceIdentifier} back to {instance.Id}.");
            }
        }

        await Task.WhenAll(definition.Instances.Select(instance => run.Wait.UntilAsync(
            $"instance {instance.Id} to be available under its original name",
            run.Wait.Settings.RenameDeadline,
            async token =>
            {
                var current = await reader.FindInstanceAsync(instance.Id, token).ConfigureAwait(false);
                return current is not null && current.IsAvailable() ? Probe<bool>.Ready(true, "available") : Probe<bool>.NotYet(false, current?.DBInstanceStatus ?? "not there yet");
            },
            cancellationToken))).ConfigureAwait(false);
    }

    private static async Task ForgetAsync(RekeyRun run, ClusterReader reader, SourceDefinition definition, CancellationToken cancellationToken)
    {
        // The instances' tags go first: the cluster's tags are what tells a resumed Rollback that work remains.
        foreach (var instance in definition.Instances)
        {
            if (await reader.FindInstanceAsync(instance.Id, cancellationToken).ConfigureAwait(false) is { } current
                && current.Tags().ContainsKey(RekeyTags.OriginalId))
            {
                await run.Rds.RemoveAsync(current.DBInstanceArn!, [RekeyTags.OriginalId], cancellationToken).ConfigureAwait(false);
            }
        }

        const string RolledBackAt = "rekey:rolled-back-at";
        var cluster = await reader.GetClusterAsync(run.ClusterId, cancellationToken).ConfigureAwait(false);
        var keys = cluster.Tags().Keys.Where(k => RekeyTags.IsRekeyTag(k) && k != RolledBackAt).ToList();
        var now = await AwsClock.NowAsync(run, cancellationToken).ConfigureAwait(false);
        await run.Rds.AddAsync(cluster.DBClusterArn!, RolledBackAt, Tagging.Iso(now), cancellationToken).ConfigureAwait(false);
        await run.Rds.RemoveAsync(cluster.DBClusterArn!, keys, cancellationToken).ConfigureAwait(false);

        // The verdict ("rolled back") is the task's, once it has read the cluster from AWS again.
        run.Journal.Add("Rollback", $"Renamed {run.ClusterId} back and removed the cutover's tags.");
    }
}
