using Microsoft.Extensions.Logging;
using Rekey.Aws.RDS;
using Rekey.Aws.RDS.Model;
using Rekey.Aws.Runtime;
using Rekey.Clusters;
using Rekey.Metrics;
using Rekey.Reporting;
using Rekey.Runtime;
using Rekey.State;
using Rekey.Waiting;
using Rekey.Safety;
using Rekey.Migration;

namespace Rekey.RestoreSwap;

/// <summary>
/// Starts the outage: locks the cluster, records what later steps need, deletes the custom endpoints,
/// renames the cluster and its instances (the instance renames reboot them, closing pooled connections),
/// waits until DNS no longer knows any old name, checks that no connection remains, and takes T1 from AWS's clock.
/// Every part looks at AWS first, so a second run after a crash picks up where the first stopped.
/// After each change it reads the lock again and stops before its next change if another run holds it.
/// </summary>
public static class Fence
{
    public static StepRules Rules { get; } = StepRules.Of(
        "Fence", LockRule.Hold, ClusterExpectation.SourceExists, checksTargetKey: true,
        StepRules.RdsTags, StepRules.Rds(nameof(IAmazonRDS.DeleteDBClusterEndpointAsync), nameof(IAmazonRDS.ModifyDBClusterAsync), nameof(IAmazonRDS.ModifyDBInstanceAsync)))
        .Reading(StepRules.ClusterReads, StepRules.AwsClockRead, StepRules.TargetKeyRead, StepRules.CloudWatch("GetMetricData"));

    public static async Task<DateTimeOffset> RunAsync(RekeyRun run, string targetKeyArn, CancellationToken cancellationToken)
    {
        var reader = new ClusterReader(run.Rds);
        var state = await MigrationState.ReadAsync(run, cancellationToken).ConfigureAwait(false);

        // Before the lock too: a run given another key has no business taking the lock of a cutover recorded for another.
        RecordedTargetKey.EnsureSame(run, "Fence", state, targetKeyArn);
        if (state.T1 is { } alreadyTaken)
        {
            run.Log.LogInformation("{Cluster} was fenced already; T1 is {T1:O}", run.ClusterId, alreadyTaken);
            return alreadyTaken;
        }

        var source = state.Source
            ?? throw new InvalidOperationException($"DB cluster {run.ClusterId} does not exist, under its name or as {run.OldClusterId}.");
        await ClusterLock.AcquireAsync(run, source, cancellationToken).ConfigureAwait(false);

        // Read again under the lock: a run that held it before this run's late lock write may have recorded the definition already.
        state = await MigrationState.ReadAsync(run, cancellationToken).ConfigureAwait(false);
        source = state.Source ?? source;
        RecordedTargetKey.EnsureSame(run, "Fence", state, targetKeyArn);
        var definition = state.Definition ?? await RecordAsync(run, reader, source, targetKeyArn, cancellationToken).ConfigureAwait(false);
        await AdoptAsync(run, state, source, cancellationToken).ConfigureAwait(false);

        // Also after a resume: a crash between the cluster's tags and the instances' leaves instances the renames would skip.
        await TagInstancesAsync(run, reader, definition, cancellationToken).ConfigureAwait(false);

        await DeleteCustomEndpointsAsync(run, definition, cancellationToken).ConfigureAwait(false);
        var clusterRename = await RenameClusterAsync(run, reader, cancellationToken).ConfigureAwait(false);
        await RenameInstancesAsync(run, reader, definition, clusterRename, cancellationToken).ConfigureAwait(false);
        await WaitForOldNamesToVanishAsync(run, definition, cancellationToken).ConfigureAwait(false);
        await WarnAboutOpenConnectionsAsync(run, definition, cancellationToken).ConfigureAwait(false);

        // T1 comes from AWS's clock, only now that no old name resolves and the instances have rebooted.
        var answer = await reader.DescribeClusterAsync(run.OldClusterId, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"The renamed cluster {run.OldClusterId} disappeared.");
        // HTTP Date has whole seconds and is rounded down: AWS answered at or after it, but before the next second. Every
        // write to the old cluster ended before this answer, so the next whole second is the first moment after all of them.
        var t1 = answer.RequireServerDate().AddSeconds(1);
        var fenced = answer.DBClusters![0];
        await run.Rds.AddAsync(
            fenced.DBClusterArn!,
            new Dictionary<string, string> { [RekeyTags.T1] = Tagging.Iso(t1), [RekeyTags.Phase] = "fenced" },
            cancellationToken).ConfigureAwait(false);
        await StillLockedAsync(run, "writing T1", cancellationToken).ConfigureAwait(false);
        run.Journal.Mark("t1", t1);
        run.Journal.Add("Fence", $"T1 = {Tagging.Iso(t1)} (AWS time): every old endpoint is gone from DNS.");
        run.Log.LogInformation("T1 = {T1} on AWS's clock", Tagging.Iso(t1));
        return t1;
    }

    private static async Task<SourceDefinition> RecordAsync(
        RekeyRun run, ClusterReader reader, DBCluster source, string targetKeyArn, CancellationToken cancellationToken)
    {
        var instances = await reader.InstancesOfAsync(source.DBClusterIdentifier!, cancellationToken).ConfigureAwait(false);
        var customEndpoints = await reader.CustomEndpointsOfAsync(source.DBClusterIdentifier!, cancellationToken).ConfigureAwait(false);
        var definition = new SourceDefinition
        {
            ClusterId = run.ClusterId,
            ClusterEndpoint = source.Endpoint!,
            ReaderEndpoint = source.ReaderEndpoint!,
            WriterId = source.WriterId() ?? throw new InvalidOperationException($"DB cluster {run.ClusterId} has no writer instance."),
            Instances = instances.Select(i => new InstanceName(i.DBInstanceIdentifier!, i.Endpoint?.Address ?? string.Empty)).ToList(),
            CustomEndpoints = customEndpoints.Select(e => new CustomEndpointDefinition(
                e.DBClusterEndpointIdentifier!,
                e.Endpoint!,
                e.CustomEndpointType ?? "ANY",
                e.StaticMembers ?? [],
                e.ExcludedMembers ?? [])).ToList(),
        };

        var tags = new Dictionary<string, string>(TagChunks.Encode(RekeyTags.DefinitionChunk, definition), StringComparer.Ordinal)
        {
            [RekeyTags.Role] = RekeyTags.SourceRole,
            [RekeyTags.OriginalId] = run.ClusterId,
            [RekeyTags.RunId] = run.RunId,
            [RekeyTags.TargetKey] = targetKeyArn,
            [RekeyTags.Phase] = "fencing",
        };
        await run.Rds.AddAsync(source.DBClusterArn!, tags, cancellationToken).ConfigureAwait(false);
        await StillLockedAsync(run, $"recording the definition of {run.ClusterId} in its tags", cancellationToken).ConfigureAwait(false);
        run.Journal.Add("Fence", $"Recorded {instances.Count} instances (writer {definition.WriterId}) and {customEndpoints.Count} custom endpoints in tags of {run.ClusterId}.");
        return definition;
    }

    /// <summary>
    /// Records this run as the cutover's run where it adopted another run's definition (with the same key), so the
    /// run that holds the lock is the run the tags name, and that run's id is what a resume or a rollback needs.
    /// </summary>
    private static async Task AdoptAsync(RekeyRun run, MigrationState state, DBCluster source, CancellationToken cancellationToken)
    {
        if (state.Definition is null || state.RecordedRunId == run.RunId)
        {
            return;
        }

        await run.Rds.AddAsync(source.DBClusterArn!, RekeyTags.RunId, run.RunId, cancellationToken).ConfigureAwait(false);
        await StillLockedAsync(run, $"recording itself as the run of the cutover of {run.ClusterId}", cancellationToken).ConfigureAwait(false);
        run.Journal.Add("Fence", $"Adopted the definition run {state.RecordedRunId ?? "(unknown)"} recorded for key {state.TargetKeyArn}, the key this run was given; "
            + $"{RekeyTags.RunId} now names run {run.RunId}.");
    }

    /// <summary>Tags each recorded instance still under its original name in the old cluster with that name, unless it has the tag.</summary>
    private static async Task TagInstancesAsync(RekeyRun run, ClusterReader reader, SourceDefinition definition, CancellationToken cancellationToken)
    {
        // One look at every recorded name answers for all of them.
        var found = await reader.FindInstancesAsync([.. definition.Instances.Select(i => i.Id)], cancellationToken).ConfigureAwait(false);
        foreach (var instance in definition.Instances)
        {
            var current = found.GetValueOrDefault(instance.Id);
            if (current is not null
                && (current.DBClusterIdentifier == run.ClusterId || current.DBClusterIdentifier == run.OldClusterId)
                && current.Tags().GetValueOrDefault(RekeyTags.OriginalId) is null)
            {
                await run.Rds.AddAsync(current.DBInstanceArn!, RekeyTags.OriginalId, instance.Id, cancellationToken).ConfigureAwait(false);
                await StillLockedAsync(run, $"tagging instance {instance.Id}", cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static async Task DeleteCustomEndpointsAsync(RekeyRun run, SourceDefinition definition, CancellationToken cancellationToken)
    {
        foreach (var endpoint in definition.CustomEndpoints)
        {
            try
            {
                await run.Rds.DeleteDBClusterEndpointAsync(new DeleteDBClusterEndpointRequest { DBClusterEndpointIdentifier = endpoint.Name }, cancellationToken)
                    .ConfigureAwait(false);
                run.Journal.Add("Fence", $"Deleted custom endpoint {endpoint.Name} from the old cluster (recorded for re-creation).");
                await StillLockedAsync(run, $"deleting custom endpoint {endpoint.Name}", cancellationToken).ConfigureAwait(false);
            }
            catch (DBClusterEndpointNotFoundException)
            {
                // Deleted by an earlier attempt.
            }
            catch (InvalidDBClusterEndpointStateException)
            {
                // Already being deleted by an earlier attempt.
            }
        }
    }

    /// <summary>Renames the cluster and returns how long the wait for the rename took (what the instances' renames then expect).</summary>
    private static async Task<TimeSpan> RenameClusterAsync(RekeyRun run, ClusterReader reader, CancellationToken cancellationToken)
    {
        var atOriginal = await reader.FindClusterAsync(run.ClusterId, cancellationToken).ConfigureAwait(false);
        if (atOriginal is not null && atOriginal.IsAvailable())
        {
            var response = await run.Rds.ModifyDBClusterAsync(
                new ModifyDBClusterRequest { DBClusterIdentifier = run.ClusterId, NewDBClusterIdentifier = run.OldClusterId, ApplyImmediately = true },
                cancellationToken).ConfigureAwait(false);
            var fencedAt = response.RequireServerDate();
            run.Journal.Mark("fenced", fencedAt);
            run.Journal.Add("Fence", $"Renamed cluster {run.ClusterId} to {run.OldClusterId} at {Tagging.Iso(fencedAt)} (AWS time): the outage starts.");
            run.Log.LogInformation("Renaming {Cluster} to {Old}: the outage starts", run.ClusterId, run.OldClusterId);
        }

        var renameStarted = run.Time.GetTimestamp();
        var renamed = await run.Wait.DuringOutage.Expecting(ExpectedDurations.TypicalRename).UntilAsync(
            $"cluster {run.OldClusterId} to be available under its new name",
            run.Wait.Settings.RenameDeadline,
            async token =>
            {
                var cluster = await reader.FindClusterAsync(run.OldClusterId, token).ConfigureAwait(false);
                return cluster is null
                    ? Probe<DBCluster?>.NotYet(null, "the new name is not there yet")
                    : cluster.IsAvailable() ? Probe<DBCluster?>.Ready(cluster, "available") : Probe<DBCluster?>.NotYet(cluster, cluster.Status ?? "unknown");
            },
            cancellationToken).ConfigureAwait(false);

        if (renamed!.Tag(RekeyTags.FencedAt) is null)
        {
            // After a crash between the rename and this tag, the outage start is known only to the minute the run resumed.
            var fencedAt = run.Journal.Marks.TryGetValue("fenced", out var mark) ? mark : await AwsClock.NowAsync(run, cancellationToken).ConfigureAwait(false);
            await run.Rds.AddAsync(renamed!.DBClusterArn!, RekeyTags.FencedAt, Tagging.Iso(fencedAt), cancellationToken).ConfigureAwait(false);
        }

        var took = run.Time.GetElapsedTime(renameStarted);

        // Read only now that the rename is done: while it is under way the cluster may answer to neither name.
        await StillLockedAsync(run, $"renaming {run.ClusterId} to {run.OldClusterId}", cancellationToken).ConfigureAwait(false);
        return took;
    }

    private static async Task RenameInstancesAsync(RekeyRun run, ClusterReader reader, SourceDefinition definition, TimeSpan clusterRename, CancellationToken cancellationToken)
    {
        // One look at the original names: renaming one instance changes none of the others.
        var found = await reader.FindInstancesAsync([.. definition.Instances.Select(i => i.Id)], cancellationToken).ConfigureAwait(false);
        foreach (var instance in definition.Instances)
        {
            var current = found.GetValueOrDefault(instance.Id);
            if (current is null || current.Tags().GetValueOrDefault(RekeyTags.OriginalId) != instance.Id || !current.IsAvailable())
            {
                // Renamed already, being renamed, or (under the original name) a new instance that is not ours.
                continue;
            }

            await run.Rds.ModifyDBInstanceAsync(
                new ModifyDBInstanceRequest { DBInstanceIdentifier = instance.Id, NewDBInstanceIdentifier = run.OldNameOf(instance.Id), ApplyImmediately = true },
                cancellationToken).ConfigureAwait(false);
            run.Journal.Add("Fence", $"Renamed instance {instance.Id} to {run.OldNameOf(instance.Id)}; the rename reboots it and closes its connections.");
            await StillLockedAsync(run, $"renaming instance {instance.Id}", cancellationToken).ConfigureAwait(false);
        }

        // One look at the renamed cluster's instances answers for all of them.
        var oldNames = definition.Instances.Select(i => run.OldNameOf(i.Id)).ToList();
        // An instance's rename (a reboot) is expected to take about as long as the cluster's did, else the typical figure.
        var expected = clusterRename > ExpectedDurations.TypicalRename / 4 ? clusterRename : ExpectedDurations.TypicalRename;
        await run.Wait.DuringOutage.Expecting(expected).UntilAsync(
            $"instances {string.Join(", ", oldNames)} to be available under their new names",
            run.Wait.Settings.RenameDeadline,
            async token =>
            {
                var members = (await reader.InstancesOfAsync(run.OldClusterId, token).ConfigureAwait(false))
                    .ToDictionary(i => i.DBInstanceIdentifier!, StringComparer.Ordinal);
                var waiting = oldNames
                    .Select(name => members.GetValueOrDefault(name) is { } renamed
                        ? renamed.IsAvailable() ? null : $"{name} {renamed.DBInstanceStatus ?? "unknown"}"
                        : $"{name}: the new name is not there yet")
                    .OfType<string>()
                    .ToList();
                return waiting.Count == 0 ? Probe<bool>.Ready(true, "available") : Probe<bool>.NotYet(false, string.Join(", ", waiting));
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Fence took the lock itself, so a lock that is gone counts as lost too.</summary>
    private static Task StillLockedAsync(RekeyRun run, string change, CancellationToken cancellationToken) =>
        ClusterLock.EnsureHeldAsync(run, "Fence", change, mustBePresent: true, cancellationToken);

    private static async Task WaitForOldNamesToVanishAsync(RekeyRun run, SourceDefinition definition, CancellationToken cancellationToken)
    {
        var names = new[] { definition.ClusterEndpoint, definition.ReaderEndpoint }
            .Concat(definition.Instances.Select(i => i.Endpoint))
            .Concat(definition.CustomEndpoints.Select(e => e.Endpoint))
            .Where(n => !string.IsNullOrEmpty(n))
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();

        await run.Wait.DuringOutage.UntilAsync(
            $"{names.Count} old endpoint names to disappear from DNS",
            run.Wait.Settings.DnsDeadline,
            async token =>
            {
                var resolving = new List<string>();
                foreach (var name in names)
                {
                    try
                    {
                        if ((await run.Dns.ResolveAsync(name, token).ConfigureAwait(false)).Exists)
                        {
                            resolving.Add(name);
                        }
                    }
                    catch (DnsClient.DnsResponseException exception) when (!token.IsCancellationRequested)
                    {
                        // A name server that did not answer proves nothing gone: look again until the deadline.
                        return Probe<int>.NotYet(names.Count, $"the name server did not answer for {name} ({exception.Message})");
                    }
                }

                return resolving.Count == 0
                    ? Probe<int>.Ready(0, "none resolves")
                    : Probe<int>.NotYet(resolving.Count, $"{resolving.Count} still resolve ({resolving[0]}{(resolving.Count > 1 ? ", ..." : string.Empty)})");
            },
            cancellationToken).ConfigureAwait(false);
        run.Journal.Add("Fence", $"None of the {names.Count} old endpoint names resolves any more.");
    }

    private static async Task WarnAboutOpenConnectionsAsync(RekeyRun run, SourceDefinition definition, CancellationToken cancellationToken)
    {
        var now = await AwsClock.NowAsync(run, cancellationToken).ConfigureAwait(false);
        foreach (var instance in definition.Instances)
        {
            var oldName = run.OldNameOf(instance.Id);
            var points = await RdsMetricsReader.ReadAsync(
                run.CloudWatch, "DatabaseConnections", "DBInstanceIdentifier", oldName, "Maximum", MetricWindow.Last(TimeSpan.FromMinutes(5), now, 60), cancellationToken).ConfigureAwait(false);
            if (points.Count > 0 && points[^1].Value > 0)
            {
                var message = $"Instance {oldName} still reports {points[^1].Value:0} connections at {points[^1].Time:u}; writes through them after T1 would not reach the new cluster.";
                run.Journal.Add("Fence", message, JournalLevel.Warning);
                run.Log.LogWarning("{Message}", message);
            }
        }
    }
}
