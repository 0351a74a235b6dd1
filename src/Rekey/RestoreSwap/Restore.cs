using Microsoft.Extensions.Logging;
using Rekey.Aws.RDS;
using Rekey.Aws.RDS.Model;
using Rekey.Clusters;
using Rekey.Runtime;
using Rekey.State;
using Rekey.Waiting;
using Rekey.Safety;
using Rekey.Migration;

namespace Rekey.RestoreSwap;

/// <summary>
/// Restores the fenced old cluster at T1 into a new cluster under the original identifier, encrypted
/// with the customer managed key, carrying every setting the restore request accepts.
/// </summary>
public static class Restore
{
    public static StepRules Rules { get; } = StepRules.Of(
        "Restore", LockRule.Hold, ClusterExpectation.Fenced, checksTargetKey: true,
        StepRules.RdsTags, StepRules.Rds(nameof(IAmazonRDS.RestoreDBClusterToPointInTimeAsync)))
        .Reading(StepRules.ClusterReads, StepRules.AwsClockRead, StepRules.TargetKeyRead);

    public const string FailedStates = "failed,inaccessible-encryption-credentials,incompatible-parameters,incompatible-restore";

    public static async Task<DBCluster> RunAsync(RekeyRun run, string targetKeyArn, CancellationToken cancellationToken)
    {
        var reader = new ClusterReader(run.Rds);
        var state = await MigrationState.ReadAsync(run, cancellationToken).ConfigureAwait(false);
        var source = state.IsRenamed ? state.Source! : throw new InvalidOperationException($"DB cluster {run.ClusterId} is not fenced yet: run Fence first.");
        var t1 = state.T1 ?? throw new InvalidOperationException($"The fence of {run.ClusterId} did not finish (no {RekeyTags.T1} tag): run Fence again.");
        var keyArn = state.TargetKeyArn ?? throw new InvalidOperationException($"The fence of {run.ClusterId} recorded no target key ({RekeyTags.TargetKey}).");
        RecordedTargetKey.EnsureSame(run, "Restore", state, targetKeyArn);
        var expected = ExpectedDurations.Of(source);

        if (state.Target is null)
        {
            if (state.AtOriginalName is not null)
            {
                throw new InvalidOperationException(
                    $"A cluster named {run.ClusterId} exists and was not created by Rekey; the restore needs the name. Rollback, or rename that cluster.");
            }

            await WaitForRestorableTimeAsync(run, reader, t1, expected, cancellationToken).ConfigureAwait(false);

            // The wait can be long: read the lock again before the restore, the step's one large change.
            await ClusterLock.EnsureHeldAsync(run, "Restore", "waiting for the restorable time", mustBePresent: false, cancellationToken).ConfigureAwait(false);
            await StartAsync(run, source, t1, keyArn, cancellationToken).ConfigureAwait(false);
            await ClusterLock.EnsureHeldAsync(run, "Restore", $"starting the restore of {run.ClusterId}", mustBePresent: false, cancellationToken).ConfigureAwait(false);
        }

        // A rerun finds the restore under way and expects it all again: past that, the overdue pauses keep the cost small.
        run.Log.LogInformation("The restore is expected to take {Expected}, {Source}", Reporting.Durations.Text(expected.Restore), expected.Source);
        var restored = await run.Wait.DuringOutage.Expecting(expected.Restore, expected.Source).UntilAsync(
            $"the restore of {run.ClusterId} at T1 to finish",
            run.Wait.Settings.RestoreDeadline,
            async token =>
            {
                var cluster = await reader.FindClusterAsync(run.ClusterId, token).ConfigureAwait(false);
                if (cluster is not null && FailedStates.Split(',').Contains(cluster.Status, StringComparer.OrdinalIgnoreCase))
                {
                    throw new InvalidOperationException(
                        $"The restore of {run.ClusterId} ended {cluster.Status}. The old cluster {run.OldClusterId} is untouched; run Rollback to bring back the original names.");
                }

                return cluster is not null && cluster.IsAvailable()
                    ? Probe<DBCluster?>.Ready(cluster, "available")
                    : Probe<DBCluster?>.NotYet(cluster, cluster?.Status ?? "not visible yet");
            },
            cancellationToken).ConfigureAwait(false);

        await run.Rds.AddAsync(source.DBClusterArn!, RekeyTags.Phase, "restored", cancellationToken).ConfigureAwait(false);
        await ClusterLock.EnsureHeldAsync(run, "Restore", "marking the old cluster restored", mustBePresent: false, cancellationToken).ConfigureAwait(false);
        return restored!;
    }

    /// <summary>The restore request: the source's settings, T1, full copy, and the customer managed key.</summary>
    public static RestoreDBClusterToPointInTimeRequest BuildRequest(DBCluster source, string clusterId, string runId, DateTimeOffset t1, string keyArn)
    {
        var tags = CarriedSettings.UserTags(source.TagList);
        tags.Add(new Tag { Key = RekeyTags.Role, Value = RekeyTags.TargetRole });
        tags.Add(new Tag { Key = RekeyTags.Source, Value = source.DBClusterIdentifier });
        tags.Add(new Tag { Key = RekeyTags.RunId, Value = runId });

        var domain = source.DomainMemberships?.FirstOrDefault();
        return new RestoreDBClusterToPointInTimeRequest
        {
            DBClusterIdentifier = clusterId,
            SourceDBClusterIdentifier = source.DBClusterIdentifier,
            RestoreType = "full-copy",
            RestoreToTime = t1.UtcDateTime,
            KmsKeyId = keyArn,
            Port = source.Port,
            DBSubnetGroupName = source.DBSubnetGroup,
            VpcSecurityGroupIds = source.VpcSecurityGroups?.Select(g => g.VpcSecurityGroupId!).ToList(),
            DBClusterParameterGroupName = source.DBClusterParameterGroup,
            OptionGroupName = source.DBClusterOptionGroupMemberships?.FirstOrDefault()?.DBClusterOptionGroupName,
            EnableCloudwatchLogsExports = source.EnabledCloudwatchLogsExports is { Count: > 0 } logs ? [.. logs] : null,
            EnableIAMDatabaseAuthentication = source.IAMDatabaseAuthenticationEnabled,
            // Off until Finalize: a restore that ends failed cannot be modified, so a protected one could never be deleted by Rollback.
            DeletionProtection = false,
            CopyTagsToSnapshot = source.CopyTagsToSnapshot,
            BacktrackWindow = source.BacktrackWindow is > 0 ? source.BacktrackWindow : null,
            Tags = tags,
            ServerlessV2ScalingConfiguration = source.ServerlessV2ScalingConfiguration is { } scaling
                ? new ServerlessV2ScalingConfiguration { MinCapacity = scaling.MinCapacity, MaxCapacity = scaling.MaxCapacity, SecondsUntilAutoPause = scaling.SecondsUntilAutoPause }
                : null,
            StorageType = source.StorageType,
            NetworkType = source.NetworkType,
            Domain = domain?.Domain,
            DomainIAMRoleName = domain?.IAMRoleName,
            EngineLifecycleSupport = source.EngineLifecycleSupport,
            BackupRetentionPeriod = source.BackupRetentionPeriod,
            PreferredBackupWindow = source.PreferredBackupWindow,
        };
    }

    /// <summary>LatestRestorableTime trails AWS's clock by about the lag, so it reaches T1 about the lag after T1.</summary>
    private static async Task WaitForRestorableTimeAsync(RekeyRun run, ClusterReader reader, DateTimeOffset t1, ExpectedDurations expected, CancellationToken cancellationToken)
    {
        var now = await AwsClock.NowAsync(run, cancellationToken).ConfigureAwait(false);
        await run.Wait.DuringOutage.Expecting(t1 + expected.RestorableLag - now).UntilAsync(
            $"{run.OldClusterId}'s latest restorable time to reach T1 ({Tagging.Iso(t1)})",
            run.Wait.Settings.RestorableTimeDeadline,
            async token =>
            {
                var cluster = await reader.GetClusterAsync(run.OldClusterId, token).ConfigureAwait(false);
                var latest = cluster.LatestRestorableTime is { } time ? new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc)) : (DateTimeOffset?)null;
                return latest >= t1
                    ? Probe<bool>.Ready(true, $"latest restorable time {Tagging.Iso(latest.Value)}")
                    : Probe<bool>.NotYet(false, latest is null ? "no latest restorable time yet" : $"latest restorable time {Tagging.Iso(latest.Value)}");
            },
            cancellationToken).ConfigureAwait(false);
    }

    private static async Task StartAsync(RekeyRun run, DBCluster source, DateTimeOffset t1, string keyArn, CancellationToken cancellationToken)
    {
        var request = BuildRequest(source, run.ClusterId, run.RunId, t1, keyArn);
        try
        {
            var response = await run.Rds.RestoreDBClusterToPointInTimeAsync(request, cancellationToken).ConfigureAwait(false);
            run.Journal.Add("Restore", $"Restoring {run.OldClusterId} at {Tagging.Iso(t1)} into {run.ClusterId} with key {keyArn} (full copy).");
            run.Log.LogInformation("Restore of {Cluster} started: status {Status}", run.ClusterId, response.DBCluster?.Status);
        }
        catch (DBClusterAlreadyExistsException)
        {
            // An earlier attempt's request went through although its answer was lost; the wait below finds that cluster.
            run.Log.LogInformation("The restore of {Cluster} was already started by an earlier attempt", run.ClusterId);
        }
    }
}
