using Amazon.Runtime;
using Microsoft.Extensions.Logging;
using Rekey.Aws.RDS.Model;
using Rekey.Aws.Runtime;
using Rekey.Clusters;
using Rekey.Dns;
using Rekey.Migration;
using Rekey.Runtime;
using Rekey.State;
using Rekey.Waiting;
using Rekey.Safety;
using Rekey.Aws.RDS;
using Rekey.Aws.ApplicationAutoScaling;

namespace Rekey.Strategies;

/// <summary>What the switchover and the checks after it found.</summary>
public sealed record BlueGreenResult
{
    /// <summary>Every item VerifyBlueGreen checked, passed, failed or not measured.</summary>
    public Checks.Checklist Checks { get; init; } = new();

    public IReadOnlyList<string> Checked => Checks.Passed;

    public IReadOnlyList<string> Problems => Checks.Failed;

    /// <summary>Aurora PostgreSQL: the query to run on the old blue, whose output (setval statements) must run on the new cluster.</summary>
    public string? SequenceQuery { get; init; }

    /// <summary>When the switchover was asked for and when AWS reported it completed (AWS's clock).</summary>
    public DateTimeOffset? SwitchoverStarted { get; init; }

    public DateTimeOffset? SwitchedAt { get; init; }

    /// <summary>Nothing failed and every essential check was measured.</summary>
    public bool Passed => Checks.AllPassed;
}

/// <summary>
/// The switchover and everything after it: verify the new production cluster like restore-swap's
/// Verify, re-create what Blue/Green does not carry, and the way back from every state.
/// </summary>
public static class BlueGreenSwitchover
{
    public static StepRules SwitchoverRules { get; } = StepRules.Of(
        "Switchover", LockRule.Hold, ClusterExpectation.BlueExists, checksTargetKey: true,
        StepRules.RdsTags, StepRules.Rds(nameof(IAmazonRDS.SwitchoverBlueGreenDeploymentAsync)));

    /// <summary>VerifyBlueGreen changes AWS: it re-creates what Blue/Green drops (custom endpoints, replica auto scaling) and releases the lock.</summary>
    public static StepRules VerifyRules { get; } = StepRules.Of(
        "VerifyBlueGreen", LockRule.Hold, ClusterExpectation.BlueExists, checksTargetKey: true,
        StepRules.RdsTags, StepRules.Rds(nameof(IAmazonRDS.CreateDBClusterEndpointAsync), nameof(IAmazonRDS.DeleteDBClusterEndpointAsync), nameof(IAmazonRDS.ModifyDBClusterAsync)),
        StepRules.AutoScaling(nameof(IAmazonApplicationAutoScaling.RegisterScalableTargetAsync), nameof(IAmazonApplicationAutoScaling.PutScalingPolicyAsync)));

    /// <summary>
    /// Run on the old blue (read only since the switchover): prints one setval statement per sequence,
    /// to be run on the new cluster, because logical replication does not carry sequence values.
    /// </summary>
    public const string SequenceQuery =
        "SELECT format('SELECT setval(%L, %s, true);', quote_ident(schemaname) || '.' || quote_ident(sequencename), last_value) "
        + "FROM pg_sequences WHERE last_value IS NOT NULL;";

    /// <summary>
    /// A journal fact: whether the switchover was recorded complete by an earlier run or completed during this one.
    /// Sequences can be advanced only after the switchover, so only an earlier run's switchover lets this run trust --sequences-advanced.
    /// </summary>
    public const string SwitchoverCompletedByFact = "switchover-completed-by";

    public const string ThisRun = "this run";

    public const string EarlierRun = "an earlier run";

    public static async Task<BlueGreenResult> SwitchoverAsync(RekeyRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var state = await BlueGreenState.ReadAsync(run, cancellationToken).ConfigureAwait(false);
        var recordedBefore = state.IsSwitchedOver && state.BlueTags.ContainsKey(BlueGreenDeployments.SwitchedAtTag);
        var deployment = state.Deployment ?? throw new InvalidOperationException($"{run.ClusterId} has no Blue/Green deployment of Rekey's; run ProvisionGreen first.");
        var id = deployment.BlueGreenDeploymentIdentifier!;
        var blue = state.Blue!;
        DateTimeOffset? started = state.BlueTags.TryGetValue(BlueGreenDeployments.SwitchoverStartedTag, out var startedText) ? DateTimeOffset.Parse(startedText, System.Globalization.CultureInfo.InvariantCulture) : null;

        // After a switchover AWS rolled back (timeout or guardrail) the deployment may read SWITCHOVER_FAILED
        // rather than AVAILABLE (the API reference: "Switchover was attempted but failed"): blue is as it was, ask again.
        if (deployment.Status is "AVAILABLE" or "SWITCHOVER_FAILED" && !state.IsSwitchedOver)
        {
            if (state.Phase == BlueGreenDeployments.Switching || deployment.Status == "SWITCHOVER_FAILED")
            {
                // An earlier attempt was asked for and AWS rolled it back (timeout or guardrail): blue is as it was.
                run.Journal.Add("Switchover", $"The last switchover of {id} did not complete and AWS rolled it back; {run.ClusterId} kept taking writes. Asking again.", Reporting.JournalLevel.Warning);
            }

            // Both tags before the request: an RDS ARN names the cluster by its identifier, so once the switchover has
            // renamed blue a write to blue's ARN lands on the new cluster. The time is AWS's, read just before asking.
            var asking = await AwsClock.NowAsync(run, cancellationToken).ConfigureAwait(false);
            await run.Rds.AddAsync(
                blue.DBClusterArn!,
                new Dictionary<string, string> { [RekeyTags.Phase] = BlueGreenDeployments.Switching, [BlueGreenDeployments.SwitchoverStartedTag] = Tagging.Iso(asking) },
                cancellationToken).ConfigureAwait(false);
            try
            {
                var response = await run.Rds.SwitchoverBlueGreenDeploymentAsync(
                    new SwitchoverBlueGreenDeploymentRequest { BlueGreenDeploymentIdentifier = id, SwitchoverTimeout = (int)run.Settings.SwitchoverTimeout.TotalSeconds },
                    cancellationToken).ConfigureAwait(false);
                started = response.RequireServerDate();
                run.Journal.Mark("switchover-started", started.Value);
                run.Journal.Add("Switchover", $"Asked for the switchover of {id} with a {run.Settings.SwitchoverTimeout.TotalSeconds:0} s timeout.");
            }
            catch (AmazonServiceException exception) when (exception.ErrorCode == "InvalidBlueGreenDeploymentStateFault")
            {
                throw new SwitchoverFailedException(
                    $"AWS refused the switchover of {id}: {exception.Message}. {run.ClusterId} is unchanged and keeps taking writes; fix the cause and run Cutover again, or Rollback.", exception);
            }
        }
        else if (deployment.Status is not ("SWITCHOVER_IN_PROGRESS" or "SWITCHOVER_COMPLETED"))
        {
            throw new SwitchoverFailedException($"Blue/Green deployment {id} is {BlueGreenCutover.Describe(deployment)}; it cannot be switched over. Run ProvisionGreen, or Rollback.");
        }

        var done = await run.Wait.DuringOutage.UntilAsync(
            $"switchover of {run.ClusterId} ({id})",
            // AWS rolls back after SwitchoverTimeout; the wait lasts a little longer to see it do so.
            run.Settings.SwitchoverTimeout + TimeSpan.FromMinutes(10),
            async token =>
            {
                var current = await BlueGreenDeployments.FindAsync(run, id, token).ConfigureAwait(false)
                    ?? throw new SwitchoverFailedException($"Blue/Green deployment {id} disappeared during the switchover.");
                return current.Status switch
                {
                    "SWITCHOVER_COMPLETED" => Probe<BlueGreenDeployment>.Ready(current, "SWITCHOVER_COMPLETED"),
                    "SWITCHOVER_FAILED" or "AVAILABLE" => throw await RolledBackAsync(run, id, current, started, token).ConfigureAwait(false),
                    _ => Probe<BlueGreenDeployment>.NotYet(current, $"{current.Status}; " + string.Join(", ", (current.SwitchoverDetails ?? []).Select(s => $"{Tail(s.SourceMember)} {s.Status}"))),
                };
            },
            cancellationToken).ConfigureAwait(false);

        var now = await AwsClock.NowAsync(run, cancellationToken).ConfigureAwait(false);
        var after = await BlueGreenState.ReadAsync(run, cancellationToken).ConfigureAwait(false);
        var oldBlue = after.OldBlue ?? throw new InvalidOperationException($"The switchover of {id} completed, but {BlueGreenDeployments.OldBlueId(run.ClusterId)} carries no Rekey tags.");
        DateTimeOffset switchedAt = after.BlueTags.TryGetValue(BlueGreenDeployments.SwitchedAtTag, out var switchedText)
            ? DateTimeOffset.Parse(switchedText, System.Globalization.CultureInfo.InvariantCulture)
            : now;
        if (started is null)
        {
            // Asked for by a run that died before it recorded when: the deployment does not say, so this run's first sight of it stands in.
            started = now;
            await run.Rds.AddAsync(oldBlue.DBClusterArn!, BlueGreenDeployments.SwitchoverStartedTag, Tagging.Iso(now), cancellationToken).ConfigureAwait(false);
            run.Journal.Add("Switchover", $"The switchover of {id} was asked for by a run that stopped before recording the time; {Tagging.Iso(now)} (when this run saw it) stands in.", Reporting.JournalLevel.Warning);
        }

        if (after.Phase != BlueGreenDeployments.Switched && after.Phase != BlueGreenDeployments.Verified)
        {
            await run.Rds.AddAsync(
                oldBlue.DBClusterArn!,
                new Dictionary<string, string> { [RekeyTags.Phase] = BlueGreenDeployments.Switched, [BlueGreenDeployments.SwitchedAtTag] = Tagging.Iso(switchedAt) },
                cancellationToken).ConfigureAwait(false);
        }

        run.Journal.Mark("switched", switchedAt);
        run.Journal.Fact(SwitchoverCompletedByFact, recordedBefore ? EarlierRun : ThisRun);
        run.Journal.Add("Switchover", $"{run.ClusterId} is now the former green ({done.Status}); the old blue is {oldBlue.DBClusterIdentifier}, read only and no longer replicated to.");
        return new BlueGreenResult { SwitchoverStarted = started, SwitchedAt = switchedAt };
    }

    /// <summary>
    /// AWS rolled the switchover back: at its timeout (the time since the request reached it) or at a guardrail
    /// (long-running writes, DDL, lag; StatusDetails names it). Blue is as it was either way.
    /// </summary>
    private static async Task<SwitchoverFailedException> RolledBackAsync(RekeyRun run, string id, BlueGreenDeployment current, DateTimeOffset? started, CancellationToken cancellationToken)
    {
        var timeout = run.Settings.SwitchoverTimeout;

        // Guardrails are checked at the start of a switchover, the timeout ends it: a tenth of slack absorbs the
        // whole seconds of the Date that dated the request.
        var timedOut = started is { } asked && await AwsClock.NowAsync(run, cancellationToken).ConfigureAwait(false) - asked >= timeout * 0.9;
        var details = current.StatusDetails is { Length: > 0 } d ? d : "AWS gave no details";
        var cause = timedOut
            ? $"it did not complete within the {timeout.TotalSeconds:0} s switchover timeout ({details})"
            : $"AWS cancelled it at a guardrail ({details})";
        var fix = timedOut
            ? "Lower the write load (replication lag) or raise --switchover-timeout"
            : "End the long-running write transactions or DDL on the cluster and let the replication lag drop";
        return new SwitchoverFailedException(
            $"The switchover of {id} failed: {cause}. AWS rolled it back ({current.Status}): {run.ClusterId} is as it was, on its old key, and keeps taking writes. "
            + $"{fix}, then run Cutover again (it resumes and asks for the switchover again), or Rollback.",
            timedOut);
    }

    /// <summary>
    /// The same checks as restore-swap's Verify where they apply (name, key, instances, DNS), plus what
    /// Blue/Green does not carry: the recorded custom endpoints and replica auto scaling are created again on the new cluster.
    /// </summary>
    public static async Task<BlueGreenResult> VerifyAsync(RekeyRun run, CancellationToken cancellationToken)
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
        checks.Check(string.Equals(cluster.KmsKeyId, key, StringComparison.Ordinal), $"{run.ClusterId} is encrypted with {key}", $"{run.ClusterId} is encrypted with {cluster.KmsKeyId}, not {key}");
        checks.Check(cluster.IsAvailable(), $"{run.ClusterId} is available", $"{run.ClusterId} is {cluster.Status}");
        checks.Check(string.Equals(cluster.Endpoint, definition.ClusterEndpoint, StringComparison.OrdinalIgnoreCase), $"cluster endpoint {definition.ClusterEndpoint} kept", $"cluster endpoint is {cluster.Endpoint}, was {definition.ClusterEndpoint}");
        checks.Check(string.Equals(cluster.ReaderEndpoint, definition.ReaderEndpoint, StringComparison.OrdinalIgnoreCase), $"reader endpoint {definition.ReaderEndpoint} kept", $"reader endpoint is {cluster.ReaderEndpoint}, was {definition.ReaderEndpoint}");

        var reader = new ClusterReader(run.Rds);
        var instances = await reader.InstancesOfAsync(run.ClusterId, cancellationToken).ConfigureAwait(false);
        foreach (var instance in definition.Instances)
        {
            var now = instances.FirstOrDefault(i => i.DBInstanceIdentifier == instance.Id);
            checks.Check(now is not null && now.IsAvailable(), $"instance {instance.Id} available under its name", $"instance {instance.Id} is {(now is null ? "missing" : now.DBInstanceStatus)} in {run.ClusterId}");
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

        // The switchover carries the settings (green was built from blue); compare them with the old blue's, as restore-swap's Verify does.
        var oldBlue = state.OldBlue!;
        foreach (var (name, oldValue, newValue) in CarriedSettings.ClusterDifferences(oldBlue, cluster))
        {
            checks.Fail($"cluster setting {name} is '{newValue}', the old blue {oldBlue.DBClusterIdentifier} has '{oldValue}'");
        }

        foreach (var instance in instances)
        {
            if (await reader.FindInstanceAsync(instance.DBInstanceIdentifier + "-old1", cancellationToken).ConfigureAwait(false) is { } old)
            {
                foreach (var (name, oldValue, newValue) in CarriedSettings.InstanceDifferences(old, instance))
                {
                    checks.Fail($"instance {instance.DBInstanceIdentifier}: {name} is '{newValue}', the old blue's instance had '{oldValue}'");
                }
            }
        }

        checks.Pass($"{CarriedSettings.Cluster.Count(s => s.Verified)} cluster settings and {CarriedSettings.Instance.Count(s => s.Verified)} settings per instance, against the old blue");

        // Blue/Green does not carry custom endpoints (undocumented; the hostile reading): create the recorded ones again, then check them.
        // The switchover leaves them on the old blue, whose names they keep: free the names first.
        await CustomEndpoints.ReleaseFromAsync(run, definition, oldBlue.DBClusterIdentifier!, "VerifyBlueGreen", cancellationToken).ConfigureAwait(false);
        await CustomEndpoints.CreateAsync(run, definition, run.ClusterId, "VerifyBlueGreen", cancellationToken).ConfigureAwait(false);
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

        Terraform.TerraformChecks.AfterCutover(run, key, checks);

        // After the switchover the old blue is read only: a commit there means an application still writes to it.
        if (state.BlueTags.GetValueOrDefault(BlueGreenDeployments.SwitchedAtTag) is { } switchedText)
        {
            var switched = DateTimeOffset.Parse(switchedText, System.Globalization.CultureInfo.InvariantCulture);
            var now = await AwsClock.NowAsync(run, cancellationToken).ConfigureAwait(false);
            var points = await Metrics.RdsMetricsReader.ReadAsync(run.CloudWatch, "CommitThroughput", "DBClusterIdentifier", oldBlue.DBClusterIdentifier!, "Sum", Metrics.MetricWindow.Between(switched, now, 60), cancellationToken).ConfigureAwait(false);
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
                    $"CloudWatch AWS/RDS CommitThroughput (Sum, 1 minute) with DBClusterIdentifier={oldBlue.DBClusterIdentifier} a few minutes from now, or run --target=VerifyBlueGreen --exclusive again later; AWS keeps the old blue read only, so a write there fails in the application that still sends it.",
                    essential: false);
            }
            else
            {
                checks.Check(commits == 0, $"no commit on {oldBlue.DBClusterIdentifier} in the {after.Count} minute(s) after the switchover", $"CloudWatch counts {commits} commits on {oldBlue.DBClusterIdentifier} after the switchover: something still writes to the old blue");
            }
        }

        string? sequenceQuery = null;
        if (string.Equals(cluster.Engine, "aurora-postgresql", StringComparison.Ordinal))
        {
            sequenceQuery = SequenceQuery;

            // Sequences can be advanced only once the switchover is over: the flag given to the run that switched over
            // was given before anyone could have run the statements, so only a later run's flag counts.
            var switchedThisRun = run.Journal.Facts.GetValueOrDefault(SwitchoverCompletedByFact) == ThisRun;
            if (!run.Settings.SequencesAdvanced || switchedThisRun)
            {
                var why = run.Settings.SequencesAdvanced
                    ? $"--{Configuration.ArgumentNames.SequencesAdvanced} counts only on a run after the switchover, and this run switched over. "
                    : string.Empty;
                checks.Fail(
                    $"{why}Sequences are not replicated by logical replication: on the old blue {state.OldBlue!.DBClusterIdentifier} run{Environment.NewLine}    {SequenceQuery}{Environment.NewLine}"
                    + $"  then run its output (setval statements) on {run.ClusterId}, and finish with{Environment.NewLine}    {FinishingCommand(run)}{Environment.NewLine}"
                    + $"  (or Cutover again with the same --run-id and --{Configuration.ArgumentNames.SequencesAdvanced}; in the Rekey workflow: phase cutover, run-id {run.RunId}, sequences-advanced on).");
            }
            else
            {
                checks.Pass("sequences advanced on the new cluster (operator's confirmation)");
            }
        }

        var switchedAt = state.BlueTags.GetValueOrDefault(BlueGreenDeployments.SwitchedAtTag);
        if (checks.AllPassed)
        {
            // Green may carry blue's tags (copied at creation): the new cluster is not a blue.
            var copied = cluster.Tags().Keys.Where(k => k == BlueGreenDeployments.StrategyTag || k == RekeyTags.Lock || k == RekeyTags.Phase || k == BlueGreenDeployments.DeploymentTag || k.StartsWith(RekeyTags.DefinitionChunk, StringComparison.Ordinal)).ToList();
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

    /// <summary>
    /// Rollback of a Blue/Green cutover. Before the switchover: the deployment is deleted with its green
    /// cluster and blue is untouched. During it: refused until AWS completes it or rolls it back. After it:
    /// the old blue has none of the writes made since, so going back means a restore-swap of the new cluster
    /// onto the old key; Rollback does not do that itself and always refuses, with --restore-swap-back naming
    /// the exact next step (Rekey's restore-swap onto a customer managed old key; by hand for aws/rds).
    /// </summary>
    public static async Task RollbackAsync(RekeyRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var state = await BlueGreenState.ReadAsync(run, cancellationToken).ConfigureAwait(false);
        if (state.IsSwitchedOver)
        {
            var explanation =
                $"{run.ClusterId} was switched over at {state.BlueTags.GetValueOrDefault(BlueGreenDeployments.SwitchedAtTag) ?? "(unrecorded)"}: applications write to the new cluster, on the new key. "
                + $"The old blue {state.OldBlue!.DBClusterIdentifier} stopped receiving writes at the switchover, so switching back to it would lose every write since. "
                + $"Rolling back means moving the new cluster, with its data, onto the old key: a restore-swap (an outage of tens of minutes).";
            if (!run.Settings.RestoreSwapBack)
            {
                throw new InvalidOperationException(
                    explanation + $" Rollback changed nothing. Keep the new cluster, or give --{Configuration.ArgumentNames.RestoreSwapBack} for the exact way back onto the old key.");
            }

            throw new InvalidOperationException(explanation + " Rollback changed nothing: " + await RestoreSwapBackStepAsync(run, state.OldBlue, cancellationToken).ConfigureAwait(false));
        }

        var blue = state.Blue;
        if (blue is null)
        {
            run.Journal.Add("Rollback", $"{run.ClusterId} has no Blue/Green cutover under way; nothing to roll back.");
            return;
        }

        // Refused before the lock is taken: nothing changes while AWS decides the switchover.
        if (state.Deployment is { Status: "SWITCHOVER_IN_PROGRESS" } switching)
        {
            throw new InvalidOperationException(
                $"The switchover of {switching.BlueGreenDeploymentIdentifier} is in progress; AWS completes it or rolls it back within its switchover timeout. "
                + "Rollback changed nothing: run it again once the switchover has ended (after a completed switchover it explains what rolling back means).");
        }

        await ClusterLock.AcquireAsync(run, blue, cancellationToken).ConfigureAwait(false);
        if (state.Deployment is { } deployment)
        {
            var id = deployment.BlueGreenDeploymentIdentifier!;

            if (deployment.Status != "DELETING")
            {
                var green = await BlueGreenCutover.GreenAsync(run, deployment, cancellationToken).ConfigureAwait(false);
                if (green?.DeletionProtection == true)
                {
                    // AWS refuses to delete a protected green; it is Rekey's own copy, never production before the switchover.
                    await run.Rds.ModifyDBClusterAsync(new ModifyDBClusterRequest { DBClusterIdentifier = green.DBClusterIdentifier, DeletionProtection = false, ApplyImmediately = true }, cancellationToken).ConfigureAwait(false);
                }

                try
                {
                    await run.Rds.DeleteBlueGreenDeploymentAsync(new DeleteBlueGreenDeploymentRequest { BlueGreenDeploymentIdentifier = id, DeleteTarget = true }, cancellationToken).ConfigureAwait(false);
                    run.Journal.Add("Rollback", $"Deleting Blue/Green deployment {id} with its green cluster {Tail(deployment.Target)}; {run.ClusterId} was never changed.");
                }
                catch (AmazonServiceException exception) when (exception.ErrorCode == "BlueGreenDeploymentNotFoundFault")
                {
                    // Deleted by an earlier attempt.
                }
            }

            await run.Wait.UntilAsync(
                $"Blue/Green deployment {id} to be deleted",
                BlueGreenCutover.Capped(run, run.Wait.Settings.DeleteDeadline),
                async token =>
                {
                    var left = await BlueGreenDeployments.FindAsync(run, id, token).ConfigureAwait(false);
                    return left is null ? Probe<bool>.Ready(true, "deleted") : Probe<bool>.NotYet(false, left.Status ?? "unknown");
                },
                cancellationToken).ConfigureAwait(false);
        }

        var current = await new ClusterReader(run.Rds).GetClusterAsync(blue.DBClusterIdentifier!, cancellationToken).ConfigureAwait(false);
        var keys = current.Tags().Keys.Where(k => k == BlueGreenDeployments.StrategyTag || k == BlueGreenDeployments.DeploymentTag || k == BlueGreenDeployments.CreatedAtTag
            || k == BlueGreenDeployments.SwitchoverStartedTag || k == RekeyTags.Phase || k == RekeyTags.TargetKey || k == RekeyTags.OriginalId || k == RekeyTags.RunId
            || k.StartsWith(RekeyTags.DefinitionChunk, StringComparison.Ordinal)).ToList();

        // The lock goes in the same call: once the Blue/Green tags are gone a rerun no longer sees a Blue/Green cutover to finish.
        if (current.Tag(RekeyTags.Lock) == run.RunId)
        {
            keys.Add(RekeyTags.Lock);
        }

        if (keys.Count > 0)
        {
            await run.Rds.RemoveAsync(current.DBClusterArn!, keys, cancellationToken).ConfigureAwait(false);
        }

        run.Log.LogInformation("Rolled back the Blue/Green cutover of {Cluster}: the deployment and its green are gone, the cluster is as it was", run.ClusterId);
    }

    /// <summary>
    /// The way back after a switchover, which Rollback does not take itself: Rekey's restore-swap Cutover of the new
    /// cluster onto the old key when that is a customer managed key; by hand when it is aws/rds, which Rekey never restores onto.
    /// </summary>
    private static async Task<string> RestoreSwapBackStepAsync(RekeyRun run, DBCluster oldBlue, CancellationToken cancellationToken)
    {
        if (oldBlue.KmsKeyId is not { } oldKey)
        {
            // No key to name: an AWS owned key cannot be asked for, and a restore or Blue/Green cannot decrypt a cluster.
            var was = oldBlue.IsUnencrypted() ? "not encrypted" : "on an AWS owned key (sse-rds)";
            return $"the old blue {oldBlue.DBClusterIdentifier} was {was}, which no restore or Blue/Green deployment can produce from an encrypted cluster, so there is no way back onto it; "
                + "keeping the new cluster loses nothing, and the old blue stays until Cleanup with the data up to the switchover.";
        }

        var key = (await run.Kms.DescribeKeyAsync(new Amazon.KeyManagementService.Model.DescribeKeyRequest { KeyId = oldKey }, cancellationToken).ConfigureAwait(false)).KeyMetadata;
        if (key.KeyManager == Amazon.KeyManagementService.KeyManagerType.AWS)
        {
            return $"the old key {oldKey} is the AWS managed key aws/rds, and Rekey's restore-swap refuses it (PrepareKey takes customer managed keys only), so Rekey cannot do it. "
                + $"By hand, with an outage from the snapshot until applications use the restored cluster: "
                + $"aws rds create-db-cluster-snapshot --db-cluster-identifier {run.ClusterId} --db-cluster-snapshot-identifier {run.ClusterId}-back; "
                + $"aws rds copy-db-cluster-snapshot --source-db-cluster-snapshot-identifier {run.ClusterId}-back --target-db-cluster-snapshot-identifier {run.ClusterId}-back-aws-rds --kms-key-id alias/aws/rds; "
                + $"then restore-db-cluster-from-snapshot and create-db-instance under new names and point the applications at them. Keeping the new cluster loses nothing.";
        }

        return $"run ./build.sh --target=Cutover --strategy=restore-swap --cluster={run.ClusterId} --kms-key={key.Arn} --confirm={run.ClusterId} "
            + $"once VerifyBlueGreen has passed: it moves the new cluster, with every write since the switchover, onto the old key (an outage of tens of minutes).";
    }

    /// <summary>After --min-age since the switchover: a final snapshot of the old blue, then it and the deployment object are deleted.</summary>
    public static async Task CleanupAsync(RekeyRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var state = await BlueGreenState.ReadAsync(run, cancellationToken).ConfigureAwait(false);
        await DressRehearsal.DressRehearsalForecast.ReportStrayAsync(run, "Cleanup", cancellationToken).ConfigureAwait(false);
        if (state.OldBlue is null && await WasCleanedUpAsync(run, cancellationToken).ConfigureAwait(false))
        {
            run.Journal.Add("Cleanup", $"The old blue {BlueGreenDeployments.OldBlueId(run.ClusterId)} is gone and its final snapshot {Migration.Cleanup.FinalSnapshotName(BlueGreenDeployments.OldBlueId(run.ClusterId))} exists; nothing to clean up.");
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
                $"The switchover of {run.ClusterId} is {(now - switchedAt).TotalHours:0.#} hours old; Cleanup waits {run.Settings.MinAge.TotalHours:0.#} hours (--min-age). Run it after {Tagging.Iso(switchedAt + run.Settings.MinAge)}, or give a shorter --min-age.");
        }

        await ClusterLock.AcquireAsync(run, oldBlue, cancellationToken).ConfigureAwait(false);
        await run.Rds.AddAsync(oldBlue.DBClusterArn!, RekeyTags.Phase, "cleaning", cancellationToken).ConfigureAwait(false);

        // The deployment object first: AWS deletes it without its target after SWITCHOVER_COMPLETED, and the old blue is not its target.
        if (state.Deployment is { Status: not "DELETING" } deployment)
        {
            try
            {
                await run.Rds.DeleteBlueGreenDeploymentAsync(new DeleteBlueGreenDeploymentRequest { BlueGreenDeploymentIdentifier = deployment.BlueGreenDeploymentIdentifier }, cancellationToken).ConfigureAwait(false);
                run.Journal.Add("Cleanup", $"Deleted Blue/Green deployment {deployment.BlueGreenDeploymentIdentifier}.");
            }
            catch (AmazonServiceException exception) when (exception.ErrorCode == "BlueGreenDeploymentNotFoundFault")
            {
                // Deleted by an earlier attempt.
            }
        }

        var oldBlueRun = oldBlue.DBClusterIdentifier!;
        await OldClusterDeletion.DeleteWithFinalSnapshotAsync(run, oldBlueRun, "Cleanup", cancellationToken).ConfigureAwait(false);
        run.Log.LogInformation("Cleaned up {Old} and the Blue/Green deployment", oldBlueRun);
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
                new DescribeDBClusterSnapshotsRequest { DBClusterSnapshotIdentifier = Migration.Cleanup.FinalSnapshotName(oldBlue) }, cancellationToken).ConfigureAwait(false);
            return snapshots.DBClusterSnapshots is { Count: > 0 };
        }
        catch (DBClusterSnapshotNotFoundException)
        {
            return false;
        }
    }

    private static string Tail(string? arn) => arn is null ? "(unknown)" : arn[(arn.LastIndexOf(':') + 1)..];
}
