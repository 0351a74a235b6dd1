using Microsoft.Extensions.Logging;
using Rekey.Aws.RDS;
using Rekey.Aws.RDS.Model;
using Rekey.Clusters;
using Rekey.Reporting;
using Rekey.Runtime;
using Rekey.State;
using Rekey.Waiting;
using Rekey.Safety;

namespace Rekey.Migration;

/// <summary>Where a cluster's parameters stand for Blue/Green after PrepareBlueGreenParameters.</summary>
public enum BlueGreenParameterOutcome
{
    /// <summary>The engine has no Blue/Green parameter needs Rekey knows of.</summary>
    NotApplicable,

    /// <summary>A custom group with the needed value, and the writer in sync with it.</summary>
    Ready,

    /// <summary>The cluster points at a group with the needed value, but the writer waits for a reboot (--fix-parameter-group).</summary>
    WriterRebootNeeded,
}

/// <summary>
/// Fixes the parameter blocker of Blue/Green without an outage where it can: copies the cluster's
/// cluster parameter group to <c>rekey-&lt;cluster&gt;-bluegreen</c>, sets binlog_format=ROW (Aurora MySQL)
/// or rds.logical_replication=1 (Aurora PostgreSQL) there with pending-reboot, and points the cluster
/// at the copy. The setting is static: it applies when the writer reboots, which is an outage, so
/// the reboot happens only with --fix-parameter-group. Every part reads AWS first, so a rerun after a
/// crash continues where the first one stopped.
/// </summary>
public static class PrepareBlueGreenParameters
{
    public static StepRules Rules { get; } = StepRules.Of(
        "PrepareBlueGreenParameters", LockRule.Hold, ClusterExpectation.SourceExists, checksTargetKey: false,
        StepRules.RdsTags, StepRules.Rds(
            nameof(IAmazonRDS.CopyDBClusterParameterGroupAsync),
            nameof(IAmazonRDS.ModifyDBClusterParameterGroupAsync),
            nameof(IAmazonRDS.ModifyDBClusterAsync),
            nameof(IAmazonRDS.RebootDBInstanceAsync)))
        .Reading(StepRules.ClusterReads, StepRules.AwsClockRead, StepRules.Rds(nameof(IAmazonRDS.DescribeDBClusterParameterGroupsAsync), nameof(IAmazonRDS.DescribeDBClusterParametersAsync)));

    /// <summary>On the copy: the group it was copied from.</summary>
    public const string CopiedFromTag = "rekey:copied-from";

    private const string Step = "PrepareBlueGreenParameters";

    /// <summary>The copy's name: within the 255 characters of a group name, since a cluster identifier has at most 63.</summary>
    public static string CopyName(string clusterId) => $"rekey-{clusterId}-bluegreen";

    /// <summary>What the fix would do and what it costs, for Plan; null when nothing is to fix.</summary>
    public static string? Describe(BlueGreenParameterCheck check)
    {
        ArgumentNullException.ThrowIfNull(check);
        if (check.IsReady)
        {
            return null;
        }

        var parts = new List<string>();
        if (check.IsDefaultGroup || !check.ValueIsSet)
        {
            parts.Add(
                $"copy cluster parameter group {check.ClusterParameterGroup} to {CopyName(check.ClusterId)} with {check.Need.Name}={check.Need.FixValue} "
                + "and point the cluster at it (no outage)");
        }

        parts.Add(
            $"reboot the writer {check.WriterId ?? "(none)"} so it applies the group: an outage of about a minute in which writes fail and every connection drops " +
            $"(only with --{Configuration.ArgumentNames.FixParameterGroup}; readers apply it at their next reboot)");
        var cost = check.Need.Engine == "aurora-mysql" ? " Binary logging adds write I/O (VolumeWriteIOPs)." : string.Empty;
        return $"Rekey can fix this with the PrepareBlueGreenParameters step: {string.Join("; then ", parts)}.{cost}";
    }

    public static async Task<BlueGreenParameterOutcome> RunAsync(RekeyRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var reader = new ClusterReader(run.Rds);
        var parameters = new ClusterParameters(run.Rds);
        var cluster = await reader.GetClusterAsync(run.ClusterId, cancellationToken).ConfigureAwait(false);
        var check = await parameters.BlueGreenAsync(cluster, cancellationToken).ConfigureAwait(false);
        if (check is null)
        {
            run.Journal.Add(Step, $"{cluster.Engine} has no Blue/Green parameter needs Rekey knows of; nothing to do.");
            return BlueGreenParameterOutcome.NotApplicable;
        }

        if (check.IsReady)
        {
            run.Journal.Add(
                Step,
                $"Cluster parameter group {check.ClusterParameterGroup} has {check.Need.Name}={check.Reading!.Value} and the writer is in sync: nothing to do.");

            // A run that crashed after its last change still holds the lock.
            await ClusterLock.ReleaseAsync(run, cluster, cancellationToken).ConfigureAwait(false);
            return BlueGreenParameterOutcome.Ready;
        }

        // On failure the lock stays, as after every step: the same run resumes with --run-id.
        await ClusterLock.AcquireAsync(run, cluster, cancellationToken).ConfigureAwait(false);
        if (check.IsDefaultGroup || !check.ValueIsSet)
        {
            var copy = await PrepareCopyAsync(run, parameters, check, cancellationToken).ConfigureAwait(false);
            await PointClusterAtAsync(run, reader, copy, cancellationToken).ConfigureAwait(false);
            cluster = await reader.GetClusterAsync(run.ClusterId, cancellationToken).ConfigureAwait(false);
            check = (await parameters.BlueGreenAsync(cluster, cancellationToken).ConfigureAwait(false))!;
        }

        var outcome = await ApplyToWriterAsync(run, reader, check, cancellationToken).ConfigureAwait(false);
        cluster = await reader.GetClusterAsync(run.ClusterId, cancellationToken).ConfigureAwait(false);
        await ClusterLock.ReleaseAsync(run, cluster, cancellationToken).ConfigureAwait(false);
        return outcome;
    }

    /// <summary>
    /// The writer in sync with the group: as it is, rebooted with --fix-parameter-group, or else left waiting for a
    /// reboot the operator chooses the time of.
    /// </summary>
    private static async Task<BlueGreenParameterOutcome> ApplyToWriterAsync(
        RekeyRun run, ClusterReader reader, BlueGreenParameterCheck check, CancellationToken cancellationToken)
    {
        var outcome = BlueGreenParameterOutcome.Ready;
        if (check.WriterInSync)
        {
            run.Journal.Add(Step, $"The writer {check.WriterId} is in sync with {check.ClusterParameterGroup}.");
        }
        else if (!run.Settings.FixParameterGroup)
        {
            run.Journal.Add(
                Step,
                $"The writer {check.WriterId} waits for a reboot to apply {check.Need.Name}={check.Need.FixValue} ({check.WriterClusterParameterGroupStatus}). "
                + $"Rerun with --{Configuration.ArgumentNames.FixParameterGroup} to reboot it now (writes fail for about a minute), or reboot it in a maintenance window.",
                JournalLevel.Warning);
            run.Log.LogWarning(
                "The writer {Writer} of {Cluster} must be rebooted to apply {Parameter}: rerun with --{Flag} (writes fail for about a minute)",
                check.WriterId,
                run.ClusterId,
                check.Need.Name,
                Configuration.ArgumentNames.FixParameterGroup);
            outcome = BlueGreenParameterOutcome.WriterRebootNeeded;
        }
        else
        {
            await RebootWriterAsync(run, reader, check, cancellationToken).ConfigureAwait(false);
        }

        return outcome;
    }

    /// <summary>The copy with the needed value, made or completed as far as it is missing.</summary>
    private static async Task<string> PrepareCopyAsync(RekeyRun run, ClusterParameters parameters, BlueGreenParameterCheck check, CancellationToken cancellationToken)
    {
        var copy = CopyName(check.ClusterId);
        if (check.ClusterParameterGroup != copy && !await ExistsAsync(run.Rds, copy, cancellationToken).ConfigureAwait(false))
        {
            await run.Rds.CopyDBClusterParameterGroupAsync(
                new CopyDBClusterParameterGroupRequest
                {
                    SourceDBClusterParameterGroupIdentifier = check.ClusterParameterGroup,
                    TargetDBClusterParameterGroupIdentifier = copy,
                    TargetDBClusterParameterGroupDescription = $"{check.ClusterParameterGroup} with {check.Need.Name}={check.Need.FixValue} for Blue/Green (Rekey)",
                    Tags = [new Tag { Key = CopiedFromTag, Value = check.ClusterParameterGroup }],
                },
                cancellationToken).ConfigureAwait(false);
            run.Journal.Add(Step, $"Copied cluster parameter group {check.ClusterParameterGroup} to {copy}.");
            run.Log.LogInformation("Copied cluster parameter group {Source} to {Copy}", check.ClusterParameterGroup, copy);
        }

        var reading = await parameters.ClusterGroupValueAsync(copy, check.Need.Name, cancellationToken).ConfigureAwait(false);
        if (reading is null || !check.Need.IsMetBy(reading.Value))
        {
            await run.Rds.ModifyDBClusterParameterGroupAsync(
                new ModifyDBClusterParameterGroupRequest
                {
                    DBClusterParameterGroupName = copy,
                    Parameters = [new Parameter { ParameterName = check.Need.Name, ParameterValue = check.Need.FixValue, ApplyMethod = ClusterParameters.PendingReboot }],
                },
                cancellationToken).ConfigureAwait(false);
            run.Journal.Add(Step, $"Set {check.Need.Name}={check.Need.FixValue} in {copy} (applies at the next reboot).");
            run.Log.LogInformation("Set {Parameter}={Value} in {Copy} (pending-reboot)", check.Need.Name, check.Need.FixValue, copy);
        }

        return copy;
    }

    private static async Task<bool> ExistsAsync(IAmazonRDS rds, string group, CancellationToken cancellationToken)
    {
        try
        {
            await rds.DescribeDBClusterParameterGroupsAsync(new DescribeDBClusterParameterGroupsRequest { DBClusterParameterGroupName = group }, cancellationToken)
                .ConfigureAwait(false);
            return true;
        }
        catch (DBParameterGroupNotFoundException)
        {
            return false;
        }
    }

    private static async Task PointClusterAtAsync(RekeyRun run, ClusterReader reader, string group, CancellationToken cancellationToken)
    {
        var cluster = await reader.GetClusterAsync(run.ClusterId, cancellationToken).ConfigureAwait(false);
        if (cluster.DBClusterParameterGroup != group)
        {
            await run.Rds.ModifyDBClusterAsync(
                new ModifyDBClusterRequest { DBClusterIdentifier = run.ClusterId, DBClusterParameterGroupName = group, ApplyImmediately = true },
                cancellationToken).ConfigureAwait(false);
            run.Journal.Add(Step, $"DB cluster {run.ClusterId} now uses cluster parameter group {group}.");
            run.Log.LogInformation("{Cluster} now uses cluster parameter group {Group}", run.ClusterId, group);
        }

        await run.Wait.UntilAsync(
            $"DB cluster {run.ClusterId} to be available with {group}",
            TimeSpan.FromMinutes(30),
            async token =>
            {
                var now = await reader.GetClusterAsync(run.ClusterId, token).ConfigureAwait(false);
                var status = $"{now.Status}, {now.DBClusterParameterGroup}";
                return now.Status == "available" && now.DBClusterParameterGroup == group ? Probe<bool>.Ready(true, status) : Probe<bool>.NotYet(false, status);
            },
            cancellationToken).ConfigureAwait(false);
    }

    private static async Task RebootWriterAsync(RekeyRun run, ClusterReader reader, BlueGreenParameterCheck check, CancellationToken cancellationToken)
    {
        var writerId = check.WriterId ?? throw new InvalidOperationException($"DB cluster {run.ClusterId} has no writer to reboot.");
        var writer = await reader.FindInstanceAsync(writerId, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"The writer {writerId} of DB cluster {run.ClusterId} does not exist.");

        // A rerun after a crash during the reboot waits for it instead of rebooting again.
        if (writer.DBInstanceStatus == "available")
        {
            await run.Rds.RebootDBInstanceAsync(new RebootDBInstanceRequest { DBInstanceIdentifier = writerId }, cancellationToken).ConfigureAwait(false);
            run.Journal.Add(Step, $"Rebooted the writer {writerId} to apply {check.Need.Name}={check.Need.FixValue}.");
            run.Log.LogInformation("Rebooting the writer {Writer} of {Cluster}", writerId, run.ClusterId);
        }

        await run.Wait.UntilAsync(
            $"writer {writerId} to be in sync with its cluster parameter group",
            TimeSpan.FromMinutes(30),
            async token =>
            {
                var cluster = await reader.GetClusterAsync(run.ClusterId, token).ConfigureAwait(false);
                var instance = await reader.FindInstanceAsync(writerId, token).ConfigureAwait(false);
                var status = $"{instance?.DBInstanceStatus ?? "missing"}, {ClusterParameters.WriterClusterParameterGroupStatus(cluster) ?? "not the writer"}";
                return instance?.DBInstanceStatus == "available" && ClusterParameters.WriterClusterParameterGroupStatus(cluster) == ClusterParameters.InSync
                    ? Probe<bool>.Ready(true, status)
                    : Probe<bool>.NotYet(false, status);
            },
            cancellationToken).ConfigureAwait(false);
        run.Journal.Add(Step, $"The writer {writerId} is in sync with its cluster parameter group.");
    }
}
