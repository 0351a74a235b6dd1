using Rekey.Aws.ApplicationAutoScaling;
using Rekey.Aws.RDS;
using Rekey.Aws.RDS.Model;
using Rekey.Clusters;
using Rekey.Dns;
using Rekey.Migration;
using Rekey.Runtime;
using Rekey.Safety;
using Rekey.State;
using Rekey.Strategies;

namespace Rekey.BlueGreen;

/// <summary>
/// Blue/Green, after the switchover: verifies the new production cluster like restore-swap's Verify, and changes AWS to
/// re-create what Blue/Green does not carry (custom endpoints, replica auto scaling), then releases the lock.
/// </summary>
public static class VerifyBlueGreen
{
    /// <summary>VerifyBlueGreen changes AWS: it re-creates what Blue/Green drops (custom endpoints, replica auto scaling) and releases the lock.</summary>
    public static StepRules Rules { get; } = StepRules.Of(
        "VerifyBlueGreen", LockRule.Hold, ClusterExpectation.BlueExists, checksTargetKey: true,
        StepRules.RdsTags, StepRules.Rds(nameof(IAmazonRDS.CreateDBClusterEndpointAsync), nameof(IAmazonRDS.DeleteDBClusterEndpointAsync), nameof(IAmazonRDS.ModifyDBClusterAsync)),
        StepRules.AutoScaling(nameof(IAmazonApplicationAutoScaling.RegisterScalableTargetAsync), nameof(IAmazonApplicationAutoScaling.PutScalingPolicyAsync)),
        StepRules.RdsData(nameof(Rekey.Aws.RDSDataService.IAmazonRDSDataService.ExecuteStatementAsync)))
        .Reading(
            StepRules.ClusterReads,
            StepRules.AwsClockRead,
            StepRules.TargetKeyRead,
            StepRules.DeploymentRead,
            StepRules.CloudWatch("GetMetricData"),
            StepRules.AutoScaling("DescribeScalableTargets", "DescribeScalingPolicies"));

    /// <summary>
    /// Run on the old blue (read only since the switchover): prints one setval statement per sequence,
    /// to be run on the new cluster, because logical replication does not carry sequence values.
    /// </summary>
    public const string SequenceQuery =
        "SELECT format('SELECT setval(%L, %s, true);', quote_ident(schemaname) || '.' || quote_ident(sequencename), last_value) "
        + "FROM pg_sequences WHERE last_value IS NOT NULL;";

    /// <summary>
    /// The same checks as restore-swap's Verify where they apply (name, key, instances, DNS), plus what
    /// Blue/Green does not carry: the recorded custom endpoints and replica auto scaling are created again on the new cluster.
    /// </summary>
    public static async Task<BlueGreenResult> RunAsync(RekeyRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        await run.Guard.EnsureRecordedKeyIsOwnAsync("VerifyBlueGreen", cancellationToken).ConfigureAwait(false);
        var checks = new Checks.Checklist();
        var state = await BlueGreenState.ReadAsync(run, cancellationToken).ConfigureAwait(false);
        if (!state.IsSwitchedOver)
        {
            throw new InvalidOperationException($"{run.ClusterId} has not been switched over yet; run Cutover --strategy=blue-green.");
        }

        var cluster = state.AtOriginalName ?? throw new InvalidOperationException($"No cluster holds the name {run.ClusterId} after the switchover.");
        var definition = state.Definition ?? throw new InvalidOperationException($"{state.OldBlue!.DBClusterIdentifier} carries no recorded definition.");
        var key = state.TargetKeyArn;
        var reader = new ClusterReader(run.Rds);
        var oldBlue = state.OldBlue!;
        var instances = await CheckNamesAsync(run, cluster, definition, key, reader, checks, cancellationToken).ConfigureAwait(false);
        await CheckSettingsAsync(oldBlue, cluster, instances, reader, checks, cancellationToken).ConfigureAwait(false);
        await RecreateWhatBlueGreenDropsAsync(run, definition, oldBlue, cluster, reader, checks, cancellationToken).ConfigureAwait(false);
        Terraform.TerraformChecks.AfterCutover(run, key, checks);
        await CheckOldBlueTakesNoWritesAsync(run, state, oldBlue, checks, cancellationToken).ConfigureAwait(false);
        var sequenceQuery = await CheckSequencesThroughDataApiAsync(run, state, checks, cancellationToken).ConfigureAwait(false)
            ? null
            : CheckSequences(run, state, cluster, checks);
        var switchedAt = state.BlueTags.GetValueOrDefault(BlueGreenDeployments.SwitchedAtTag);
        if (checks.AllPassed)
        {
            // Green may carry blue's tags (copied at creation): the new cluster is not a blue.
            var copied = cluster.Tags().Keys
                .Where(k => k == BlueGreenDeployments.StrategyTag || k == RekeyTags.Lock || k == RekeyTags.Phase || k == BlueGreenDeployments.DeploymentTag
                    || k.StartsWith(RekeyTags.DefinitionChunk, StringComparison.Ordinal))
                .ToList();
            if (copied.Count > 0)
            {
                await run.Rds.RemoveAsync(cluster.DBClusterArn!, copied, cancellationToken).ConfigureAwait(false);
            }

            await run.Rds.AddAsync(state.OldBlue!.DBClusterArn!, RekeyTags.Phase, BlueGreenDeployments.Verified, cancellationToken).ConfigureAwait(false);
            await ClusterLock.ReleaseAsync(run, state.OldBlue, cancellationToken).ConfigureAwait(false);
        }

        run.Journal.RecordChecks("VerifyBlueGreen", checks);
        return new BlueGreenResult
        {
            Checks = checks,
            SequenceQuery = sequenceQuery,
            SwitchedAt = switchedAt is null ? null : DateTimeOffset.Parse(switchedAt, System.Globalization.CultureInfo.InvariantCulture),
        };
    }

    /// <summary>The new cluster under the original names: key, status, endpoints, instances, writer, and every name in DNS.</summary>
    private static async Task<IReadOnlyList<DBInstance>> CheckNamesAsync(
        RekeyRun run,
        DBCluster cluster,
        SourceDefinition definition,
        string? key,
        ClusterReader reader,
        Checks.Checklist checks,
        CancellationToken cancellationToken)
    {
        checks.Check(string.Equals(cluster.KmsKeyId, key, StringComparison.Ordinal), $"{run.ClusterId} is encrypted with {key}", $"{run.ClusterId} is encrypted with {cluster.KmsKeyId}, not {key}");
        checks.Check(cluster.IsAvailable(), $"{run.ClusterId} is available", $"{run.ClusterId} is {cluster.Status}");
        checks.Check(
            string.Equals(cluster.Endpoint, definition.ClusterEndpoint, StringComparison.OrdinalIgnoreCase),
            $"cluster endpoint {definition.ClusterEndpoint} kept",
            $"cluster endpoint is {cluster.Endpoint}, was {definition.ClusterEndpoint}");
        checks.Check(
            string.Equals(cluster.ReaderEndpoint, definition.ReaderEndpoint, StringComparison.OrdinalIgnoreCase),
            $"reader endpoint {definition.ReaderEndpoint} kept",
            $"reader endpoint is {cluster.ReaderEndpoint}, was {definition.ReaderEndpoint}");

        var instances = await reader.InstancesOfAsync(run.ClusterId, cancellationToken).ConfigureAwait(false);
        foreach (var instance in definition.Instances)
        {
            var now = instances.FirstOrDefault(i => i.DBInstanceIdentifier == instance.Id);
            checks.Check(
                now is not null && now.IsAvailable(),
                $"instance {instance.Id} available under its name",
                $"instance {instance.Id} is {(now is null ? "missing" : now.DBInstanceStatus)} in {run.ClusterId}");
        }

        checks.Check(cluster.WriterId() == definition.WriterId, $"writer is {definition.WriterId}", $"writer is {cluster.WriterId() ?? "(none)"}, was {definition.WriterId}");
        // Each name is asked until it resolves: after a switchover the instance names may follow later than the cluster's.
        var names = new[] { definition.ClusterEndpoint, definition.ReaderEndpoint }.Concat(definition.Instances.Select(i => i.Endpoint)).ToList();
        var answers = await EndpointNames.WaitUntilResolvedAsync(run.Dns, run.Wait, names, run.Wait.Settings.DnsDeadline, cancellationToken).ConfigureAwait(false);
        foreach (var endpoint in names.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            var dns = answers[endpoint];
            checks.Check(dns.Exists, $"DNS: {dns}", $"DNS: {endpoint} does not resolve after {run.Wait.Settings.DnsDeadline} of waiting");
        }

        return instances;
    }

    /// <summary>The switchover carries the settings (green was built from blue): the same comparison with the old blue as restore-swap's Verify makes.</summary>
    private static async Task CheckSettingsAsync(
        DBCluster oldBlue,
        DBCluster cluster,
        IReadOnlyList<DBInstance> instances,
        ClusterReader reader,
        Checks.Checklist checks,
        CancellationToken cancellationToken)
    {
        foreach (var (name, oldValue, newValue) in CarriedSettings.ClusterDifferences(oldBlue, cluster))
        {
            checks.Fail($"cluster setting {name} is '{newValue}', the old blue {oldBlue.DBClusterIdentifier} has '{oldValue}'");
        }

        // The old blue's instances, read with one call.
        var olds = instances.Count == 0
            ? new Dictionary<string, DBInstance>()
            : await reader.FindInstancesAsync([.. instances.Select(i => i.DBInstanceIdentifier + "-old1")], cancellationToken).ConfigureAwait(false);
        foreach (var instance in instances)
        {
            if (olds.TryGetValue(instance.DBInstanceIdentifier + "-old1", out var old))
            {
                foreach (var (name, oldValue, newValue) in CarriedSettings.InstanceDifferences(old, instance))
                {
                    checks.Fail($"instance {instance.DBInstanceIdentifier}: {name} is '{newValue}', the old blue's instance had '{oldValue}'");
                }
            }
        }

        checks.Pass($"{CarriedSettings.Cluster.Count(s => s.Verified)} cluster settings and {CarriedSettings.Instance.Count(s => s.Verified)} settings per instance, against the old blue");
    }

    /// <summary>Changes AWS: re-creates on the new cluster what Blue/Green drops (custom endpoints, replica auto scaling), then checks them.</summary>
    private static async Task RecreateWhatBlueGreenDropsAsync(
        RekeyRun run,
        SourceDefinition definition,
        DBCluster oldBlue,
        DBCluster cluster,
        ClusterReader reader,
        Checks.Checklist checks,
        CancellationToken cancellationToken)
    {
        // Blue/Green does not carry custom endpoints (undocumented; the hostile reading): create the recorded ones again, then check them.
        // The switchover leaves them on the old blue, whose names they keep: free the names first.
        await CustomEndpoints.ReleaseFromAsync(run, definition, oldBlue.DBClusterIdentifier!, "VerifyBlueGreen", cancellationToken).ConfigureAwait(false);
        await CustomEndpoints.CreateAsync(run, definition, run.ClusterId, "VerifyBlueGreen", cluster.TagList, cancellationToken).ConfigureAwait(false);
        var customEndpoints = await reader.CustomEndpointsOfAsync(run.ClusterId, cancellationToken).ConfigureAwait(false);
        foreach (var recorded in definition.CustomEndpoints)
        {
            var endpoint = customEndpoints.FirstOrDefault(e => e.DBClusterEndpointIdentifier == recorded.Name);
            checks.Check(
                string.Equals(endpoint?.Endpoint, recorded.Endpoint, StringComparison.OrdinalIgnoreCase),
                $"custom endpoint {recorded.Name} on {run.ClusterId} at {recorded.Endpoint}",
                $"custom endpoint {recorded.Name} is {endpoint?.Endpoint ?? "missing"}, not {recorded.Endpoint}");
        }

        // Blue/Green does not copy replica auto scaling, and the old blue keeps its registration: register the recorded one again.
        if (definition.ReplicaScaling is { } scaling)
        {
            await ReplicaAutoScaling.RestoreAsync(run, scaling, "VerifyBlueGreen", checks, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>After the switchover the old blue is read only: a commit there means an application still writes to it.</summary>
    private static async Task CheckOldBlueTakesNoWritesAsync(RekeyRun run, BlueGreenState state, DBCluster oldBlue, Checks.Checklist checks, CancellationToken cancellationToken)
    {
        if (state.BlueTags.GetValueOrDefault(BlueGreenDeployments.SwitchedAtTag) is { } switchedText)
        {
            var switched = DateTimeOffset.Parse(switchedText, System.Globalization.CultureInfo.InvariantCulture);
            var now = await AwsClock.NowAsync(run, cancellationToken).ConfigureAwait(false);
            var points = await Metrics.RdsMetricsReader.ReadAsync(
                run.CloudWatch,
                "CommitThroughput",
                "DBClusterIdentifier",
                oldBlue.DBClusterIdentifier!,
                "Sum",
                Metrics.MetricWindow.Between(switched, now, 60),
                cancellationToken).ConfigureAwait(false);
            // Only whole minutes after the switchover count: the minute it happened in holds blue's last writes,
            // whichever end of its period a datapoint is stamped with.
            var after = points.Where(p => p.Time >= switched.UtcDateTime.AddSeconds(60)).ToList();
            var commits = after.Sum(p => p.Value);
            if (after.Count == 0)
            {
                // Supplementary: AWS keeps the old blue read only after the switchover, so the cutover does not rest on it.
                checks.NotMeasuredBecause(
                    $"no commit on {oldBlue.DBClusterIdentifier} after the switchover",
                    $"CloudWatch has no whole minute of AWS/RDS CommitThroughput for {oldBlue.DBClusterIdentifier} after the switchover yet.",
                    $"CloudWatch AWS/RDS CommitThroughput (Sum, 1 minute) with DBClusterIdentifier={oldBlue.DBClusterIdentifier} a few minutes from now, "
                        + "or run --target=VerifyBlueGreen --exclusive again later; AWS keeps the old blue read only, so a write there fails in the application that still sends it.",
                    essential: false);
            }
            else
            {
                checks.Check(
                    commits == 0,
                    $"no commit on {oldBlue.DBClusterIdentifier} in the {after.Count} minute(s) after the switchover",
                    $"CloudWatch counts {commits} commits on {oldBlue.DBClusterIdentifier} after the switchover: something still writes to the old blue");
            }
        }
    }

    /// <summary>
    /// With the RDS Data API: every sequence of the new cluster read against the old blue's final value (the old blue takes no
    /// writes). False when the Data API cannot be used, and the operator's path applies.
    /// </summary>
    private static async Task<bool> CheckSequencesThroughDataApiAsync(RekeyRun run, BlueGreenState state, Checks.Checklist checks, CancellationToken cancellationToken)
    {
        var oldBlue = state.OldBlue;
        if (oldBlue is null || !SwitchoverSequences.Available(run, oldBlue))
        {
            return false;
        }

        var sequences = new SequenceAdvancer(run.RdsData, run.Settings.DatabaseSecretArn!);
        try
        {
            var final = await sequences.ReadAsync(oldBlue.DBClusterArn!, cancellationToken).ConfigureAwait(false);
            var now = (await sequences.ReadAsync(SwitchoverSequences.NewClusterArn(run, oldBlue), cancellationToken).ConfigureAwait(false))
                .ToDictionary(s => s.QualifiedName, s => s.LastValue, StringComparer.Ordinal);
            var behind = final.Where(s => now.GetValueOrDefault(s.QualifiedName, long.MinValue) < s.LastValue).ToList();
            checks.Check(
                behind.Count == 0,
                $"every sequence of {run.ClusterId} at or above the old blue's final value ({final.Count}, read through the RDS Data API)",
                $"sequences of {run.ClusterId} behind the old blue's final values (inserts collide): "
                + string.Join(", ", behind.Select(s => $"{s.QualifiedName} {now.GetValueOrDefault(s.QualifiedName)} < {s.LastValue}"))
                + $"; on the old blue {oldBlue.DBClusterIdentifier} run {SequenceQuery} then its output on {run.ClusterId}, and finish with {FinishingCommand(run)}");
            return true;
        }
        catch (Amazon.Runtime.AmazonServiceException exception)
        {
            run.Journal.Add(
                "VerifyBlueGreen",
                $"The RDS Data API did not answer ({exception.ErrorCode}: {exception.Message}); the sequences are checked the operator's way.",
                Reporting.JournalLevel.Warning);
            return false;
        }
    }

    /// <summary>Aurora PostgreSQL: logical replication does not carry sequences; the query to run on the old blue, and whether the operator has.</summary>
    private static string? CheckSequences(RekeyRun run, BlueGreenState state, DBCluster cluster, Checks.Checklist checks)
    {
        if (!string.Equals(cluster.Engine, "aurora-postgresql", StringComparison.Ordinal))
        {
            return null;
        }

        // Sequences can be advanced only once the switchover is over: the flag given to the run that switched over
        // was given before anyone could have run the statements, so only a later run's flag counts.
        var switchedThisRun = run.Journal.Facts.GetValueOrDefault(Switchover.SwitchoverCompletedByFact) == Switchover.ThisRun;
        if (!run.Settings.SequencesAdvanced || switchedThisRun)
        {
            var why = run.Settings.SequencesAdvanced
                ? $"--{Configuration.ArgumentNames.SequencesAdvanced} counts only on a run after the switchover, and this run switched over. "
                : string.Empty;
            checks.Fail(
                $"{why}Sequences are not replicated by logical replication: on the old blue {state.OldBlue!.DBClusterIdentifier} run{Environment.NewLine}    {SequenceQuery}{Environment.NewLine}"
                + $"  then run its output (setval statements) on {run.ClusterId}, and finish with{Environment.NewLine}    {FinishingCommand(run)}{Environment.NewLine}"
                + $"  (or Cutover again with the same --run-id and --{Configuration.ArgumentNames.SequencesAdvanced}; in the Rekey workflow: phase cutover, run-id {run.RunId}, "
                + "sequences-advanced on).");
        }
        else
        {
            checks.Pass("sequences advanced on the new cluster (operator's confirmation)");
        }

        return SequenceQuery;
    }

    /// <summary>
    /// The command that finishes a PostgreSQL cutover once the sequences are advanced, complete as printed: the lock and
    /// the recorded cutover belong to this run's id, so without --run-id the finishing run would be another run and refused.
    /// </summary>
    public static string FinishingCommand(RekeyRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var key = run.Settings.KmsKey is { } given ? $" --{Configuration.ArgumentNames.KmsKey}={given}" : string.Empty;
        return $"./build.sh --target=VerifyBlueGreen --strategy=blue-green --cluster={run.ClusterId} --region={run.Region.SystemName}{key} "
            + $"--run-id={run.RunId} --confirm={run.ClusterId} --{Configuration.ArgumentNames.SequencesAdvanced}";
    }
}
