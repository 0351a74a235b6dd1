using Microsoft.Extensions.Logging;
using Rekey.Aws.RDS;
using Rekey.Aws.RDS.Model;
using Rekey.Aws.Runtime;
using Rekey.Clusters;
using Rekey.Dns;
using Rekey.Runtime;
using Rekey.State;
using Rekey.Waiting;
using Rekey.Safety;
using Rekey.Migration;

namespace Rekey.RestoreSwap;

/// <summary>
/// Creates every instance of the old cluster again, under its original identifier, in the new cluster.
/// The old writer's identifier is created first and becomes the writer; the outage ends when it is
/// available and the original cluster endpoint resolves to it. Readers are created meanwhile and do
/// not extend the outage.
/// </summary>
public static class CreateInstances
{
    public static StepRules Rules { get; } = StepRules.Of(
        "CreateInstances", LockRule.Hold, ClusterExpectation.Restored, checksTargetKey: true,
        StepRules.RdsTags, StepRules.Rds(nameof(IAmazonRDS.CreateDBInstanceAsync), nameof(IAmazonRDS.FailoverDBClusterAsync)))
        .Reading(StepRules.ClusterReads, StepRules.AwsClockRead, StepRules.TargetKeyRead);

    public static async Task RunAsync(RekeyRun run, CancellationToken cancellationToken)
    {
        var reader = new ClusterReader(run.Rds);
        var state = await MigrationState.ReadAsync(run, cancellationToken).ConfigureAwait(false);
        var target = state.Target is { } t && t.IsAvailable()
            ? t
            : throw new InvalidOperationException($"The new cluster {run.ClusterId} is not available yet: run Restore first.");
        var source = state.Source ?? throw new InvalidOperationException($"The old cluster {run.OldClusterId} is gone.");
        var definition = state.Definition ?? throw new InvalidOperationException($"The old cluster {run.OldClusterId} carries no recorded definition.");

        var writer = definition.Instances.First(i => i.Id == definition.WriterId);
        var readers = definition.Instances.Where(i => i.Id != definition.WriterId).ToList();

        // The first instance to become available becomes the writer, so the old writer's identifier is
        // asked for first; readers are created right after it, in parallel, and a failover corrects the rare race.
        // One look at every instance under its name and its old name answers for all of them: creating one creates no other.
        var found = await reader.FindInstancesAsync(
            [.. definition.Instances.SelectMany(i => new[] { i.Id, run.OldNameOf(i.Id) })], cancellationToken).ConfigureAwait(false);
        await CreateIfMissingAsync(run, found, writer.Id, cancellationToken).ConfigureAwait(false);
        foreach (var instance in readers)
        {
            await CreateIfMissingAsync(run, found, instance.Id, cancellationToken).ConfigureAwait(false);
        }

        // The outage waits on the writer, expected to take what the dress rehearsal measured (else a typical figure).
        var expected = ExpectedDurations.Of(source);
        run.Log.LogInformation("The writer is expected to take {Expected}, {Source}", Reporting.Durations.Text(expected.Instance), expected.Source);
        await WaitAvailableAsync(run.Wait.DuringOutage.Expecting(expected.Instance, expected.Source), run, reader, [writer.Id], cancellationToken).ConfigureAwait(false);
        await EnsureWriterAsync(run, reader, writer.Id, cancellationToken).ConfigureAwait(false);
        await WaitForClusterEndpointAsync(run, reader, definition, writer, source, cancellationToken).ConfigureAwait(false);

        // The readers were created with the writer and are no longer in the outage: one look at them all, backing off.
        if (readers.Count > 0)
        {
            await WaitAvailableAsync(run.Wait, run, reader, [.. readers.Select(r => r.Id)], cancellationToken).ConfigureAwait(false);
        }

        await WaitForNamesAsync(run, definition, cancellationToken).ConfigureAwait(false);
        await run.Rds.AddAsync(source.DBClusterArn!, RekeyTags.Phase, "instances", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The instances are back under their names only once those names resolve: each appears in DNS in its own time,
    /// often after the cluster endpoint. The writer's outage has already ended; this wait does not extend it.
    /// </summary>
    private static async Task WaitForNamesAsync(RekeyRun run, SourceDefinition definition, CancellationToken cancellationToken)
    {
        var names = definition.Instances.Select(i => i.Endpoint).Append(definition.ReaderEndpoint).ToList();
        var deadline = run.Wait.Settings.DnsDeadline;
        var answers = await EndpointNames.WaitUntilResolvedAsync(run.Dns, run.Wait, names, deadline, cancellationToken).ConfigureAwait(false);
        var missing = answers.Values.Where(a => !a.Exists).Select(a => a.Name).ToList();
        if (missing.Count > 0)
        {
            throw new WaitTimeoutException(
                $"Gave up waiting after {deadline} for {string.Join(", ", missing)} to resolve; the instances are available and the writer serves {definition.ClusterEndpoint}. " +
                "Nothing was undone: run the same target again to keep waiting, or Rollback.");
        }

        run.Journal.Add("CreateInstances", $"Every instance name and {definition.ReaderEndpoint} resolve.");
    }

    /// <summary>The CreateDBInstance request for <paramref name="old"/>'s settings under <paramref name="instanceId"/> in <paramref name="clusterId"/>.</summary>
    public static CreateDBInstanceRequest BuildRequest(DBInstance old, string instanceId, string clusterId)
    {
        var performanceInsights = old.PerformanceInsightsEnabled == true;
        return new CreateDBInstanceRequest
        {
            DBInstanceIdentifier = instanceId,
            DBClusterIdentifier = clusterId,
            Engine = old.Engine,
            DBInstanceClass = old.DBInstanceClass,
            AvailabilityZone = old.AvailabilityZone,
            PromotionTier = old.PromotionTier,
            DBParameterGroupName = old.DBParameterGroups?.FirstOrDefault()?.DBParameterGroupName,
            MonitoringInterval = old.MonitoringInterval is > 0 ? old.MonitoringInterval : null,
            MonitoringRoleArn = old.MonitoringInterval is > 0 ? old.MonitoringRoleArn : null,
            EnablePerformanceInsights = performanceInsights ? true : null,
            PerformanceInsightsKMSKeyId = performanceInsights ? old.PerformanceInsightsKMSKeyId : null,
            PerformanceInsightsRetentionPeriod = performanceInsights ? old.PerformanceInsightsRetentionPeriod : null,
            DatabaseInsightsMode = old.DatabaseInsightsMode,
            AutoMinorVersionUpgrade = old.AutoMinorVersionUpgrade,
            PubliclyAccessible = old.PubliclyAccessible,
            CACertificateIdentifier = old.CACertificateIdentifier,
            PreferredMaintenanceWindow = old.PreferredMaintenanceWindow,
            CopyTagsToSnapshot = old.CopyTagsToSnapshot,
            Tags = CarriedSettings.UserTags(old.TagList),
        };
    }

    private static async Task CreateIfMissingAsync(RekeyRun run, IReadOnlyDictionary<string, DBInstance> found, string instanceId, CancellationToken cancellationToken)
    {
        var existing = found.GetValueOrDefault(instanceId);
        if (existing is not null)
        {
            if (!string.Equals(existing.DBClusterIdentifier, run.ClusterId, StringComparison.Ordinal))
            {
                throw new InvalidOperationException(
                    $"Instance {instanceId} exists in cluster {existing.DBClusterIdentifier}, not in the new cluster {run.ClusterId}; was the old instance renamed back by hand?");
            }

            return;
        }

        var old = found.GetValueOrDefault(run.OldNameOf(instanceId))
            ?? throw new InvalidOperationException($"The old instance {run.OldNameOf(instanceId)} is gone; its settings cannot be carried.");
        try
        {
            await run.Rds.CreateDBInstanceAsync(BuildRequest(old, instanceId, run.ClusterId), cancellationToken).ConfigureAwait(false);
            run.Journal.Add("CreateInstances", $"Creating instance {instanceId} ({old.DBInstanceClass} in {old.AvailabilityZone}).");
            run.Log.LogInformation("Creating instance {Instance}", instanceId);
            await ClusterLock.EnsureHeldAsync(run, "CreateInstances", $"creating instance {instanceId}", mustBePresent: false, cancellationToken).ConfigureAwait(false);
        }
        catch (DBInstanceAlreadyExistsException)
        {
            // An earlier attempt's request went through although its answer was lost.
        }
    }

    /// <summary>Waits until every one of <paramref name="instanceIds"/> is available, each look one DescribeDBInstances of the new cluster's instances.</summary>
    private static Task WaitAvailableAsync(Waiter wait, RekeyRun run, ClusterReader reader, IReadOnlyList<string> instanceIds, CancellationToken cancellationToken) =>
        wait.UntilAsync(
            instanceIds.Count == 1 ? $"instance {instanceIds[0]} to be available" : $"instances {string.Join(", ", instanceIds)} to be available",
            run.Wait.Settings.InstanceDeadline,
            async token =>
            {
                var members = (await reader.InstancesOfAsync(run.ClusterId, token).ConfigureAwait(false))
                    .ToDictionary(i => i.DBInstanceIdentifier!, StringComparer.Ordinal);
                var waiting = new List<string>();
                foreach (var instanceId in instanceIds)
                {
                    var instance = members.GetValueOrDefault(instanceId);
                    if (instance?.DBInstanceStatus is "failed" or "incompatible-parameters" or "incompatible-network" or "storage-full")
                    {
                        throw new InvalidOperationException(
                            $"Instance {instanceId} ended {instance.DBInstanceStatus}. The old cluster {run.OldClusterId} is untouched; run CreateInstances again after fixing the cause, "
                            + "or Rollback.");
                    }

                    if (instance is null || !instance.IsAvailable())
                    {
                        waiting.Add($"{instanceId} {instance?.DBInstanceStatus ?? "not visible yet"}");
                    }
                }

                return waiting.Count == 0
                    ? Probe<bool>.Ready(true, "available")
                    : Probe<bool>.NotYet(false, string.Join(", ", waiting));
            },
            cancellationToken);

    private static async Task EnsureWriterAsync(RekeyRun run, ClusterReader reader, string writerId, CancellationToken cancellationToken)
    {
        var cluster = await reader.GetClusterAsync(run.ClusterId, cancellationToken).ConfigureAwait(false);
        if (cluster.WriterId() is { } current && current != writerId)
        {
            await run.Rds.FailoverDBClusterAsync(new FailoverDBClusterRequest { DBClusterIdentifier = run.ClusterId, TargetDBInstanceIdentifier = writerId }, cancellationToken)
                .ConfigureAwait(false);
            run.Journal.Add("CreateInstances", $"Failed over {run.ClusterId} from {current} to {writerId}, the old writer's identifier.");
            await ClusterLock.EnsureHeldAsync(run, "CreateInstances", $"failing over to {writerId}", mustBePresent: false, cancellationToken).ConfigureAwait(false);
        }

        await run.Wait.DuringOutage.UntilAsync(
            $"{writerId} to be the writer of {run.ClusterId}",
            run.Wait.Settings.InstanceDeadline,
            async token =>
            {
                var now = await reader.GetClusterAsync(run.ClusterId, token).ConfigureAwait(false);
                return now.WriterId() == writerId && now.IsAvailable()
                    ? Probe<bool>.Ready(true, "writer")
                    : Probe<bool>.NotYet(false, $"writer is {now.WriterId() ?? "none"}, cluster {now.Status}");
            },
            cancellationToken).ConfigureAwait(false);
    }

    private static async Task WaitForClusterEndpointAsync(
        RekeyRun run, ClusterReader reader, SourceDefinition definition, InstanceName writer, DBCluster source, CancellationToken cancellationToken)
    {
        await run.Wait.DuringOutage.UntilAsync(
            $"{definition.ClusterEndpoint} to resolve again, now to the new cluster",
            run.Wait.Settings.DnsDeadline,
            async token =>
            {
                // The old name stopped resolving before T1, so an answer now comes from the new cluster. How the
                // cluster endpoint's records lead to its writer is not documented; RDS itself says who the writer is.
                var resolution = await run.Dns.ResolveAsync(definition.ClusterEndpoint, token).ConfigureAwait(false);
                return resolution.Exists
                    ? Probe<bool>.Ready(true, resolution.ToString())
                    : Probe<bool>.NotYet(false, resolution.ToString());
            },
            cancellationToken).ConfigureAwait(false);

        var answer = await reader.DescribeClusterAsync(run.ClusterId, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"The new cluster {run.ClusterId} disappeared.");
        var end = answer.RequireServerDate();
        run.Journal.Mark("writer-available", end);
        run.Journal.Add("CreateInstances", $"Writer {writer.Id} is available and {definition.ClusterEndpoint} resolves to it at {Tagging.Iso(end)} (AWS time): the outage ends.");
        if (source.Tag(RekeyTags.FencedAt) is { } fencedText && DateTimeOffset.TryParse(fencedText, System.Globalization.CultureInfo.InvariantCulture, out var fencedAt))
        {
            run.Log.LogInformation("Write outage: {Outage} on AWS's clock", Reporting.Durations.Text(end - fencedAt));
        }

        await run.Rds.AddAsync(answer.DBClusters![0].DBClusterArn!, RekeyTags.WriterAvailableAt, Tagging.Iso(end), cancellationToken).ConfigureAwait(false);
        await ClusterLock.EnsureHeldAsync(run, "CreateInstances", "recording the end of the outage", mustBePresent: false, cancellationToken).ConfigureAwait(false);
    }
}
