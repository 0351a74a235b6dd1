using Rekey.Aws.RDS.Model;
using Rekey.Checks;
using Rekey.Clusters;
using Rekey.Metrics;
using Rekey.Runtime;
using Rekey.Safety;
using Rekey.Strategies;
using Rekey.Waiting;

namespace Rekey.BlueGreen;

/// <summary>What VerifyGreen found: its checks, and whether AWS shows the switchover done already (nothing left to check before it).</summary>
public sealed record GreenVerdict(Checklist Checks, bool SwitchedOver);

/// <summary>
/// Blue/Green, before the outage: whether green is ready for the switchover (deployment and members AVAILABLE, green on
/// the target key, replication keeping up). It changes nothing but the lock and phase tags.
/// </summary>
public static class VerifyGreen
{
    public static StepRules Rules { get; } = StepRules.Of(
        "VerifyGreen", LockRule.Hold, ClusterExpectation.BlueExists, checksTargetKey: true, StepRules.RdsTags)
        .Reading(StepRules.ClusterReads, StepRules.AwsClockRead, StepRules.TargetKeyRead, StepRules.DeploymentRead, StepRules.CloudWatch("GetMetricData"));

    /// <summary>Replication lag above which the switchover would wait on AWS's guardrail; Rekey refuses to ask earlier.</summary>
    public static readonly TimeSpan MaxReplicaLag = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Aurora PostgreSQL: the most WAL (OldestReplicationSlotLag, bytes) green may have still to receive. The
    /// switchover's guardrail waits for it to drain; 32 MiB drains in seconds on Aurora's storage.
    /// </summary>
    public const double MaxSlotLagBytes = 32 * 1024 * 1024;

    /// <summary>How far back a lag data point counts as recent: RDS publishes each minute, CloudWatch shows it a minute or two late.</summary>
    public static readonly TimeSpan LagWindow = TimeSpan.FromMinutes(5);

    /// <summary>How long VerifyGreen waits for recent lag data before it fails (capped by --max-wait).</summary>
    public static readonly TimeSpan LagDataDeadline = TimeSpan.FromMinutes(15);

    private const string Available = "AVAILABLE";

    private const string RolledBack = "SWITCHOVER_FAILED";

    private const string SwitchingOver = "SWITCHOVER_IN_PROGRESS";

    /// <summary>The longest a switchover can take: AWS's largest SwitchoverTimeout (3600 s), and time to see it rolled back.</summary>
    public static readonly TimeSpan SwitchoverLongest = TimeSpan.FromSeconds(3600) + TimeSpan.FromMinutes(10);

    /// <summary>
    /// Whether green is ready for the switchover, read the hostile way before an outage starts: the deployment
    /// and every SwitchoverDetails member AVAILABLE, green on the target key, and recent lag data below the
    /// threshold (waited for; without it the lag is not measured and green is not ready). A switchover in progress
    /// (asked for by a run that stopped) is waited for first, and what AWS then shows is checked.
    /// </summary>
    public static async Task<GreenVerdict> RunAsync(RekeyRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        await run.Guard.EnsureRecordedKeyIsOwnAsync("VerifyGreen", cancellationToken).ConfigureAwait(false);
        var checks = new Checklist();
        var state = await BlueGreenState.ReadAsync(run, cancellationToken).ConfigureAwait(false);
        if (!state.IsSwitchedOver && state.Deployment is { Status: SwitchingOver } switching)
        {
            await WaitForSwitchoverToEndAsync(run, switching.BlueGreenDeploymentIdentifier!, cancellationToken).ConfigureAwait(false);
            state = await BlueGreenState.ReadAsync(run, cancellationToken).ConfigureAwait(false);
        }

        if (state.IsSwitchedOver)
        {
            // Green is production now: VerifyBlueGreen checks it, against the old blue.
            checks.Pass($"{run.ClusterId} was switched over already ({state.OldBlue!.DBClusterIdentifier} is the old blue); VerifyBlueGreen checks the new cluster");
            run.Journal.RecordChecks("VerifyGreen", checks);
            return new GreenVerdict(checks, SwitchedOver: true);
        }

        await CheckGreenAsync(run, state, checks, cancellationToken).ConfigureAwait(false);
        run.Journal.RecordChecks("VerifyGreen", checks);
        return new GreenVerdict(checks, SwitchedOver: false);
    }

    /// <summary>
    /// A switchover asked for earlier (by a run that stopped, or by hand) is AWS's to finish: it completes it or rolls it
    /// back within its SwitchoverTimeout (at most 3600 s). Nothing about green can be judged meanwhile.
    /// </summary>
    private static async Task WaitForSwitchoverToEndAsync(RekeyRun run, string id, CancellationToken cancellationToken)
    {
        run.Journal.Add(
            "VerifyGreen",
            $"The switchover of {id} was in progress when this run started (asked for by an earlier run); waiting for AWS to complete it or roll it back.",
            Reporting.JournalLevel.Warning);
        try
        {
            await run.Wait.UntilAsync(
                $"the switchover of {run.ClusterId} ({id}), asked for earlier, to end",
                BlueGreenReads.Capped(run, SwitchoverLongest),
                async token =>
                {
                    var current = await BlueGreenDeployments.FindAsync(run, id, token).ConfigureAwait(false)
                        ?? throw new InvalidOperationException($"Blue/Green deployment {id} disappeared during its switchover (deleted by someone else?); "
                            + $"describe the cluster {run.ClusterId} before doing anything.");
                    return current.Status == SwitchingOver
                        ? Probe<string>.NotYet(
                            current.Status,
                            $"{SwitchingOver}; " + string.Join(", ", (current.SwitchoverDetails ?? []).Select(d => $"{BlueGreenReads.NameIn(d.SourceMember)} {d.Status}")))
                        : Probe<string>.Ready(current.Status ?? "unknown", BlueGreenReads.Describe(current));
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (WaitTimeoutException exception)
        {
            throw new WaitTimeoutException(
                $"The switchover of {run.ClusterId} ({id}), asked for by an earlier run, is still {SwitchingOver}: AWS completes it or rolls it back within its switchover timeout (at most 3600 s). "
                + $"This run changed nothing. Run Cutover again (same --run-id) to keep waiting and go on from what AWS then shows. {exception.Message}",
                exception);
        }
    }

    private static async Task CheckGreenAsync(RekeyRun run, BlueGreenState state, Checklist checks, CancellationToken cancellationToken)
    {
        var deployment = state.Deployment ?? throw new InvalidOperationException($"{run.ClusterId} has no Blue/Green deployment of Rekey's; run CreateBlueGreen.");
        var id = deployment.BlueGreenDeploymentIdentifier;
        // AWS leaves a switchover it rolled back SWITCHOVER_FAILED, blue as it was, and accepts a new switchover from there.
        var ready = deployment.Status == RolledBack ? RolledBack : Available;
        checks.Check(
            deployment.Status is Available or RolledBack,
            $"Blue/Green deployment {id} is {deployment.Status}",
            $"Blue/Green deployment {id} is {BlueGreenReads.Describe(deployment)}, not {Available}; run WaitForGreen (or ProvisionGreen) until it is, then VerifyGreen again.");

        var details = deployment.SwitchoverDetails ?? [];
        if (details.Count == 0)
        {
            checks.NotMeasuredBecause(
                $"members of {id} ready",
                $"Blue/Green deployment {id} lists no SwitchoverDetails, so nothing says its members are ready.",
                $"aws rds describe-blue-green-deployments --blue-green-deployment-identifier {id}, then run VerifyGreen again.");
        }

        foreach (var detail in details)
        {
            checks.Check(
                detail.Status == Available || detail.Status == ready,
                $"Blue/Green member {BlueGreenReads.NameIn(detail.SourceMember)} -> {BlueGreenReads.NameIn(detail.TargetMember)} is {detail.Status}",
                $"Blue/Green member {BlueGreenReads.NameIn(detail.SourceMember)} -> {BlueGreenReads.NameIn(detail.TargetMember)} of {id} is {detail.Status ?? "without a status"}, "
                    + $"not {Available}; AWS would refuse or roll back the switchover. Wait for it, or Rollback if it is MISSING_SOURCE, MISSING_TARGET or INVALID_*.");
        }

        var green = await BlueGreenReads.GreenAsync(run, deployment, cancellationToken).ConfigureAwait(false);
        var targetKey = state.TargetKeyArn;
        if (green is null)
        {
            checks.Fail($"The green cluster {deployment.Target} of {id} cannot be described.");
            return;
        }

        checks.Check(
            string.Equals(green.KmsKeyId, targetKey, StringComparison.Ordinal),
            $"green cluster {green.DBClusterIdentifier} is encrypted with {targetKey}",
            $"Green cluster {green.DBClusterIdentifier} is encrypted with {green.KmsKeyId ?? "no key"}, not the target key {targetKey}. "
                + "Rollback deletes the deployment; check the key policy lets RDS use the key.");

        if (!checks.AllPassed)
        {
            // A green that is not ready fails whatever the lag says; waiting for lag data would only delay the answer.
            return;
        }

        await CheckLagAsync(run, state.Blue!, green, checks, cancellationToken).ConfigureAwait(false);
    }

    private static async Task CheckLagAsync(RekeyRun run, DBCluster blue, DBCluster green, Checklist checks, CancellationToken cancellationToken)
    {
        const string What = "replication from blue to green keeps up";
        var lag = LagMetric.Of(blue, green);
        if (lag is null)
        {
            checks.Fail($"Blue cluster {run.ClusterId} has no writer instance, so its OldestReplicationSlotLag cannot be read; the switchover needs a writer.");
            return;
        }

        var deadline = BlueGreenReads.Capped(run, LagDataDeadline);
        IReadOnlyList<double> recent;
        try
        {
            recent = await run.Wait.UntilAsync(
                $"CloudWatch data for AWS/RDS {lag.Name} ({lag.Dimension}={lag.Value})",
                deadline,
                async token =>
                {
                    var values = await lag.RecentAsync(run, token).ConfigureAwait(false);
                    return values.Count > 0
                        ? Probe<IReadOnlyList<double>>.Ready(values, $"{values.Count} data point(s)")
                        : Probe<IReadOnlyList<double>>.NotYet(values, $"no data points in the last {LagWindow.TotalMinutes:0} minutes");
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (WaitTimeoutException)
        {
            checks.NotMeasuredBecause(
                What,
                $"CloudWatch has no data points for AWS/RDS {lag.Name} with dimension {lag.Dimension}={lag.Value} in the last {LagWindow.TotalMinutes:0} minutes "
                + $"(waited {deadline.TotalMinutes:0.#} minutes), so nothing shows green keeps up with blue and a switchover could time out during its outage.",
                $"{lag.WhatToCheck}, then run VerifyGreen again.");
            return;
        }

        var worst = recent.Max();
        checks.Check(
            worst <= lag.Threshold,
            $"replication lag at most {lag.Text(worst)} ({lag.Name}, {recent.Count} data point(s) in the last {LagWindow.TotalMinutes:0} minutes; threshold {lag.Text(lag.Threshold)})",
            $"Replication from blue to green lags {lag.Text(worst)} ({lag.Name}, the most in the last {LagWindow.TotalMinutes:0} minutes; more than {lag.Text(lag.Threshold)}); "
                + "the switchover would wait on AWS's guardrail and could time out. Lower the write load or wait, then run again.");
    }

    /// <summary>
    /// The metric that shows green keeps up. Aurora MySQL: green's AuroraBinlogReplicaLag, in seconds.
    /// Aurora PostgreSQL: blue writer's OldestReplicationSlotLag, in bytes of WAL green has not received,
    /// compared with a byte threshold: AWS reports no time for logical replication, and any rate assumed
    /// to turn bytes into time would be a guess.
    /// </summary>
    private sealed record LagMetric(string Name, string Dimension, string Value, double Threshold, bool Bytes, string WhatToCheck)
    {
        public static LagMetric? Of(DBCluster blue, DBCluster green)
        {
            if (string.Equals(blue.Engine, "aurora-mysql", StringComparison.Ordinal))
            {
                return new LagMetric(
                    "AuroraBinlogReplicaLag", "DBClusterIdentifier", green.DBClusterIdentifier!, MaxReplicaLag.TotalSeconds, false,
                    $"Check that green {green.DBClusterIdentifier} replicates from blue (binlog replication running, binlog_format set on blue) and that the metric shows in the CloudWatch console");
            }

            return blue.WriterId() is { } writer
                ? new LagMetric(
                    "OldestReplicationSlotLag", "DBInstanceIdentifier", writer, MaxSlotLagBytes, true,
                    $"Check that rds.logical_replication is 1 on blue {blue.DBClusterIdentifier}, that its writer {writer} holds the deployment's replication slot (pg_replication_slots), "
                        + "and that the metric shows in the CloudWatch console")
                : null;
        }

        public async Task<IReadOnlyList<double>> RecentAsync(RekeyRun run, CancellationToken cancellationToken)
        {
            var now = await AwsClock.NowAsync(run, cancellationToken).ConfigureAwait(false);
            var points = await RdsMetricsReader.ReadAsync(run.CloudWatch, Name, Dimension, Value, "Maximum", MetricWindow.Last(LagWindow, now, 60), cancellationToken).ConfigureAwait(false);
            return [.. points.Select(p => p.Value)];
        }

        public string Text(double value) => Bytes
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{value / (1024 * 1024):0.##} MiB")
            : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{value:0.#} s");
    }
}
