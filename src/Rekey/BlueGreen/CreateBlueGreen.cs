using Amazon.Runtime;
using Microsoft.Extensions.Logging;
using Rekey.Aws.RDS.Model;
using Rekey.Aws.Runtime;
using Rekey.Checks;
using Rekey.Clusters;
using Rekey.Metrics;
using Rekey.Runtime;
using Rekey.State;
using Rekey.Waiting;
using Rekey.Safety;
using Rekey.Aws.RDS;

namespace Rekey.Strategies;

/// <summary>Blue/Green switched over and AWS rolled it back, or it was refused: blue is as it was; the step may be run again.</summary>
public sealed class SwitchoverFailedException : Exception
{
    public SwitchoverFailedException()
    {
    }

    public SwitchoverFailedException(string message)
        : base(message)
    {
    }

    public SwitchoverFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public SwitchoverFailedException(string message, bool timedOut)
        : base(message)
    {
        TimedOut = timedOut;
    }

    /// <summary>AWS rolled the switchover back at its SwitchoverTimeout, rather than cancelling it at a guardrail or refusing it.</summary>
    public bool TimedOut { get; }
}

/// <summary>What VerifyGreen found: its checks, and whether AWS shows the switchover done already (nothing left to check before it).</summary>
public sealed record GreenVerdict(Checklist Checks, bool SwitchedOver);

/// <summary>
/// The Blue/Green steps before the switchover: create the deployment with the green cluster on the
/// target key, wait until AWS says it is AVAILABLE, and check green's key and replication. Each reads
/// AWS first and does only what is missing, so a rerun after a crash converges.
/// </summary>
public static class BlueGreenCutover
{
    public static StepRules CreateRules { get; } = StepRules.Of(
        "CreateBlueGreen", LockRule.Hold, ClusterExpectation.BlueExists, checksTargetKey: true,
        StepRules.RdsTags, StepRules.Rds(nameof(IAmazonRDS.CreateBlueGreenDeploymentAsync)));

    public static StepRules WaitRules { get; } = StepRules.Of(
        "WaitForGreen", LockRule.Hold, ClusterExpectation.BlueExists, checksTargetKey: true, StepRules.RdsTags);

    public static StepRules VerifyGreenRules { get; } = StepRules.Of(
        "VerifyGreen", LockRule.Hold, ClusterExpectation.BlueExists, checksTargetKey: true, StepRules.RdsTags);

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

    public static readonly TimeSpan ProvisionDeadline = TimeSpan.FromHours(12);

    public static async Task<BlueGreenDeployment> CreateAsync(RekeyRun run, string targetKeyArn, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var state = await BlueGreenState.ReadAsync(run, cancellationToken).ConfigureAwait(false);
        if (state.IsSwitchedOver)
        {
            return state.Deployment ?? throw new InvalidOperationException($"{run.ClusterId} was switched over but its Blue/Green deployment is gone; run Verify.");
        }

        var blue = state.AtOriginalName ?? throw new InvalidOperationException($"DB cluster {run.ClusterId} does not exist.");
        await ClusterLock.AcquireAsync(run, blue, cancellationToken).ConfigureAwait(false);
        if (!BlueGreenDeployments.IsBlueOf(blue, run.ClusterId))
        {
            await RecordAsync(run, blue, targetKeyArn, cancellationToken).ConfigureAwait(false);
        }

        if (state.Deployment is { } existing)
        {
            run.Log.LogInformation("Blue/Green deployment {Name} ({Id}) exists: {Status}", existing.BlueGreenDeploymentName, existing.BlueGreenDeploymentIdentifier, existing.Status);
            await RecordCreatedAtAsync(run, blue, existing, cancellationToken).ConfigureAwait(false);
            await RecordIdAsync(run, blue, existing, cancellationToken).ConfigureAwait(false);
            return existing;
        }

        var name = BlueGreenDeployments.NameFor(run.ClusterId);
        BlueGreenDeployment created;
        try
        {
            var response = await run.Rds.CreateBlueGreenDeploymentAsync(
                new CreateBlueGreenDeploymentRequest
                {
                    BlueGreenDeploymentName = name,
                    Source = blue.DBClusterArn,
                    TargetDBClusterParameterGroupName = blue.DBClusterParameterGroup,
                    TargetResourceConfigurations = [new TargetResourceConfiguration { SourceArn = blue.DBClusterArn, TargetKmsKeyId = targetKeyArn }],
                    Tags =
                    [
                        new Tag { Key = BlueGreenDeployments.StrategyTag, Value = BlueGreenDeployments.StrategyValue },
                        new Tag { Key = RekeyTags.OriginalId, Value = run.ClusterId },
                        new Tag { Key = RekeyTags.RunId, Value = run.RunId },
                        new Tag { Key = RekeyTags.TargetKey, Value = targetKeyArn },

                        // The cluster's own tags too: a role scoped by the operator's tag may then switch over and delete it.
                        .. Migration.CarriedSettings.UserTags(blue.TagList),
                    ],
                },
                cancellationToken).ConfigureAwait(false);
            created = response.BlueGreenDeployment ?? throw new InvalidOperationException("CreateBlueGreenDeployment answered without a deployment.");
            run.Journal.Mark("bg-created", response.RequireServerDate());
            await run.Rds.AddAsync(blue.DBClusterArn!, BlueGreenDeployments.CreatedAtTag, Tagging.Iso(response.RequireServerDate()), cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonServiceException exception) when (exception.ErrorCode == "BlueGreenDeploymentAlreadyExistsFault")
        {
            // Ours, made by a run that crashed before it read the answer: the name and tags say so.
            created = await BlueGreenDeployments.FindAsync(run, null, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"A Blue/Green deployment named {name} exists and is not Rekey's for {run.ClusterId}; delete it or rename it.", exception);
            await RecordCreatedAtAsync(run, blue, created, cancellationToken).ConfigureAwait(false);
        }

        run.Journal.Add("CreateBlueGreen", $"Created Blue/Green deployment {created.BlueGreenDeploymentName} ({created.BlueGreenDeploymentIdentifier}) of {run.ClusterId}, green on {targetKeyArn}.");
        await RecordIdAsync(run, blue, created, cancellationToken).ConfigureAwait(false);
        return created;
    }

    /// <summary>Waits until the deployment is AVAILABLE, showing its status and tasks; INVALID_CONFIGURATION fails with AWS's details.</summary>
    public static async Task<BlueGreenDeployment> WaitForGreenAsync(RekeyRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        await run.Guard.EnsureRecordedKeyIsOwnAsync("WaitForGreen", cancellationToken).ConfigureAwait(false);
        var state = await BlueGreenState.ReadAsync(run, cancellationToken).ConfigureAwait(false);
        var id = state.Deployment?.BlueGreenDeploymentIdentifier ?? throw new InvalidOperationException($"{run.ClusterId} has no Blue/Green deployment of Rekey's; run CreateBlueGreen.");
        if (state.IsSwitchedOver)
        {
            return state.Deployment!;
        }

        // Green is a full copy on the new key and then its instances: expected as long as the dress rehearsal's restore and
        // one writer per instance (else typical figures). A rerun expects it all again; the overdue pauses keep that cheap.
        var expected = ExpectedDurations.Of(state.Blue);
        var green = expected.Green(state.Blue?.DBClusterMembers?.Count ?? 1);
        run.Log.LogInformation("Green is expected to take {Expected:%h\\:mm\\:ss}, {Source}", green, expected.Source);
        var deployment = await run.Wait.Expecting(green).UntilAsync(
            $"green of {run.ClusterId} ({id}) to be AVAILABLE",
            Capped(run, ProvisionDeadline),
            async token =>
            {
                var current = await BlueGreenDeployments.FindAsync(run, id, token).ConfigureAwait(false)
                    ?? throw new InvalidOperationException($"Blue/Green deployment {id} disappeared while green was provisioned (deleted by someone else?). Run CreateBlueGreen again.");
                return current.Status switch
                {
                    // Green is built in every switchover status; the Switchover step deals with each (a rerun after a rolled-back switchover asks again).
                    "AVAILABLE" or "SWITCHOVER_IN_PROGRESS" or "SWITCHOVER_COMPLETED" or "SWITCHOVER_FAILED" => Probe<BlueGreenDeployment>.Ready(current, Describe(current)),
                    "INVALID_CONFIGURATION" or "DELETING" => throw new InvalidOperationException(
                        $"Blue/Green deployment {id} is {current.Status}: {current.StatusDetails ?? "AWS gave no details"}. Rollback deletes it with its green cluster."),
                    _ => Probe<BlueGreenDeployment>.NotYet(current, Describe(current)),
                };
            },
            cancellationToken).ConfigureAwait(false);
        if (state.Blue is { } blue && state.Phase == BlueGreenDeployments.Creating)
        {
            await run.Rds.AddAsync(blue.DBClusterArn!, RekeyTags.Phase, BlueGreenDeployments.Provisioned, cancellationToken).ConfigureAwait(false);
        }

        run.Journal.Add("WaitForGreen", $"Blue/Green deployment {id} is {deployment.Status}: {TasksOf(deployment)}.");
        return deployment;
    }

    /// <summary>
    /// Whether green is ready for the switchover, read the hostile way before an outage starts: the deployment
    /// and every SwitchoverDetails member AVAILABLE, green on the target key, and recent lag data below the
    /// threshold (waited for; without it the lag is not measured and green is not ready). A switchover in progress
    /// (asked for by a run that stopped) is waited for first, and what AWS then shows is checked.
    /// </summary>
    public static async Task<GreenVerdict> VerifyGreenAsync(RekeyRun run, CancellationToken cancellationToken)
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
        run.Journal.Add("VerifyGreen", $"The switchover of {id} was in progress when this run started (asked for by an earlier run); waiting for AWS to complete it or roll it back.", Reporting.JournalLevel.Warning);
        try
        {
            await run.Wait.UntilAsync(
                $"the switchover of {run.ClusterId} ({id}), asked for earlier, to end",
                Capped(run, SwitchoverLongest),
                async token =>
                {
                    var current = await BlueGreenDeployments.FindAsync(run, id, token).ConfigureAwait(false)
                        ?? throw new InvalidOperationException($"Blue/Green deployment {id} disappeared during its switchover (deleted by someone else?); describe the cluster {run.ClusterId} before doing anything.");
                    return current.Status == SwitchingOver
                        ? Probe<string>.NotYet(current.Status, $"{SwitchingOver}; " + string.Join(", ", (current.SwitchoverDetails ?? []).Select(d => $"{Tail(d.SourceMember)} {d.Status}")))
                        : Probe<string>.Ready(current.Status ?? "unknown", Describe(current));
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
            $"Blue/Green deployment {id} is {Describe(deployment)}, not {Available}; run WaitForGreen (or ProvisionGreen) until it is, then VerifyGreen again.");

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
                $"Blue/Green member {Tail(detail.SourceMember)} -> {Tail(detail.TargetMember)} is {detail.Status}",
                $"Blue/Green member {Tail(detail.SourceMember)} -> {Tail(detail.TargetMember)} of {id} is {detail.Status ?? "without a status"}, not {Available}; AWS would refuse or roll back the switchover. Wait for it, or Rollback if it is MISSING_SOURCE, MISSING_TARGET or INVALID_*.");
        }

        var green = await GreenAsync(run, deployment, cancellationToken).ConfigureAwait(false);
        var targetKey = state.TargetKeyArn;
        if (green is null)
        {
            checks.Fail($"The green cluster {deployment.Target} of {id} cannot be described.");
            return;
        }

        checks.Check(
            string.Equals(green.KmsKeyId, targetKey, StringComparison.Ordinal),
            $"green cluster {green.DBClusterIdentifier} is encrypted with {targetKey}",
            $"Green cluster {green.DBClusterIdentifier} is encrypted with {green.KmsKeyId ?? "no key"}, not the target key {targetKey}. Rollback deletes the deployment; check the key policy lets RDS use the key.");

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

        var deadline = Capped(run, LagDataDeadline);
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
            $"Replication from blue to green lags {lag.Text(worst)} ({lag.Name}, the most in the last {LagWindow.TotalMinutes:0} minutes; more than {lag.Text(lag.Threshold)}); the switchover would wait on AWS's guardrail and could time out. Lower the write load or wait, then run again.");
    }

    /// <summary>The deployment's green cluster, from the ARN AWS names as its target.</summary>
    public static async Task<DBCluster?> GreenAsync(RekeyRun run, BlueGreenDeployment deployment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(deployment);
        if (deployment.Target is not { } arn)
        {
            return null;
        }

        var id = arn[(arn.LastIndexOf(':') + 1)..];
        return await new ClusterReader(run.Rds).FindClusterAsync(id, cancellationToken).ConfigureAwait(false);
    }

    public static string Describe(BlueGreenDeployment deployment)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        return $"{deployment.Status}{(deployment.StatusDetails is { Length: > 0 } details ? $" ({details})" : string.Empty)}; {TasksOf(deployment)}";
    }

    public static string TasksOf(BlueGreenDeployment deployment)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        return deployment.Tasks is { Count: > 0 } tasks
            ? "tasks " + string.Join(", ", tasks.Select(t => $"{t.Name} {t.Status}"))
            : "no tasks listed";
    }

    internal static TimeSpan Capped(RekeyRun run, TimeSpan deadline) =>
        run.Settings.MaxWait is { } max && max < deadline ? max : deadline;

    private static string Tail(string? arn) => arn is null ? "(unknown)" : arn[(arn.LastIndexOf(':') + 1)..];

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
                    $"Check that rds.logical_replication is 1 on blue {blue.DBClusterIdentifier}, that its writer {writer} holds the deployment's replication slot (pg_replication_slots), and that the metric shows in the CloudWatch console")
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

    private static async Task RecordAsync(RekeyRun run, DBCluster blue, string targetKeyArn, CancellationToken cancellationToken)
    {
        var reader = new ClusterReader(run.Rds);
        var instances = await reader.InstancesOfAsync(blue.DBClusterIdentifier!, cancellationToken).ConfigureAwait(false);
        var customEndpoints = await reader.CustomEndpointsOfAsync(blue.DBClusterIdentifier!, cancellationToken).ConfigureAwait(false);
        ReplicaScaling? scaling = null;
        try
        {
            scaling = await ReplicaAutoScaling.ReadAsync(run, run.ClusterId, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonServiceException exception) when (ReplicaAutoScaling.IsAccessDenied(exception))
        {
            // Preflight warned already; the cutover goes on without carrying the auto scaling.
            run.Log.LogWarning("Cannot read the Application Auto Scaling of {Cluster} ({Code}: {Message}); grant {Permissions} to carry it through the switchover", run.ClusterId, exception.ErrorCode, exception.Message, ReplicaAutoScaling.DescribePermissions);
            run.Journal.Add("CreateBlueGreen", $"Application Auto Scaling of {run.ClusterId} could not be read ({exception.ErrorCode}); it is not carried: grant {ReplicaAutoScaling.DescribePermissions}.");
        }

        var definition = new SourceDefinition
        {
            ClusterId = run.ClusterId,
            ClusterEndpoint = blue.Endpoint ?? string.Empty,
            ReaderEndpoint = blue.ReaderEndpoint ?? string.Empty,
            WriterId = blue.WriterId() ?? throw new InvalidOperationException($"DB cluster {run.ClusterId} has no writer instance."),
            Instances = instances.Select(i => new InstanceName(i.DBInstanceIdentifier!, i.Endpoint?.Address ?? string.Empty)).ToList(),
            CustomEndpoints = customEndpoints.Select(e => new CustomEndpointDefinition(
                e.DBClusterEndpointIdentifier!, e.Endpoint!, e.CustomEndpointType ?? "ANY", e.StaticMembers ?? [], e.ExcludedMembers ?? [])).ToList(),
            ReplicaScaling = scaling,
        };

        // Blue/Green does not carry custom endpoints (the hostile reading: AWS does not document it) nor replica auto
        // scaling (documented): record them to re-create after the switchover.
        var tags = new Dictionary<string, string>(TagChunks.Encode(RekeyTags.DefinitionChunk, definition), StringComparer.Ordinal)
        {
            [BlueGreenDeployments.StrategyTag] = BlueGreenDeployments.StrategyValue,
            [RekeyTags.OriginalId] = run.ClusterId,
            [RekeyTags.RunId] = run.RunId,
            [RekeyTags.TargetKey] = targetKeyArn,
            [RekeyTags.Phase] = BlueGreenDeployments.Creating,
        };
        await run.Rds.AddAsync(blue.DBClusterArn!, tags, cancellationToken).ConfigureAwait(false);
        run.Journal.Add("CreateBlueGreen", $"Recorded {instances.Count} instances, {customEndpoints.Count} custom endpoints and {(scaling is null ? "no replica auto scaling" : ReplicaAutoScaling.Describe(scaling))} in tags of {run.ClusterId}.");
    }

    /// <summary>A run that crashed after CreateBlueGreenDeployment never tagged when: AWS's CreateTime of the deployment says it.</summary>
    private static async Task RecordCreatedAtAsync(RekeyRun run, DBCluster blue, BlueGreenDeployment deployment, CancellationToken cancellationToken)
    {
        if (blue.Tag(BlueGreenDeployments.CreatedAtTag) is null && deployment.CreateTime is { } createdAt)
        {
            await run.Rds.AddAsync(blue.DBClusterArn!, BlueGreenDeployments.CreatedAtTag, Tagging.Iso(new DateTimeOffset(DateTime.SpecifyKind(createdAt, DateTimeKind.Utc))), cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task RecordIdAsync(RekeyRun run, DBCluster blue, BlueGreenDeployment deployment, CancellationToken cancellationToken)
    {
        if (blue.Tag(BlueGreenDeployments.DeploymentTag) != deployment.BlueGreenDeploymentIdentifier)
        {
            await run.Rds.AddAsync(blue.DBClusterArn!, BlueGreenDeployments.DeploymentTag, deployment.BlueGreenDeploymentIdentifier!, cancellationToken).ConfigureAwait(false);
        }
    }
}
