using Amazon.Runtime;
using Rekey.Aws.RDS.Model;
using Rekey.Aws.RDS;
using Rekey.Aws.Runtime;
using Rekey.Runtime;
using Rekey.Safety;
using Rekey.State;
using Rekey.Strategies;
using Rekey.Waiting;

namespace Rekey.BlueGreen;

/// <summary>Blue/Green: asks AWS for the switchover (the outage) and waits until it completes or AWS rolls it back.</summary>
public static class Switchover
{
    public static StepRules Rules { get; } = StepRules.Of(
        "Switchover", LockRule.Hold, ClusterExpectation.BlueExists, checksTargetKey: true,
        StepRules.RdsTags, StepRules.Rds(nameof(IAmazonRDS.SwitchoverBlueGreenDeploymentAsync)),
        StepRules.RdsData(nameof(Rekey.Aws.RDSDataService.IAmazonRDSDataService.ExecuteStatementAsync)))
        .Reading(StepRules.ClusterReads, StepRules.AwsClockRead, StepRules.TargetKeyRead, StepRules.DeploymentRead);

    /// <summary>
    /// A journal fact: whether the switchover was recorded complete by an earlier run or completed during this one.
    /// Sequences can be advanced only after the switchover, so only an earlier run's switchover lets this run trust --sequences-advanced.
    /// </summary>
    public const string SwitchoverCompletedByFact = "switchover-completed-by";

    public const string ThisRun = "this run";

    public const string EarlierRun = "an earlier run";

    public static async Task<BlueGreenResult> RunAsync(RekeyRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var state = await BlueGreenState.ReadAsync(run, cancellationToken).ConfigureAwait(false);
        var recordedBefore = state.IsSwitchedOver && state.BlueTags.ContainsKey(BlueGreenDeployments.SwitchedAtTag);
        var deployment = state.Deployment ?? throw new InvalidOperationException($"{run.ClusterId} has no Blue/Green deployment of Rekey's; run ProvisionGreen first.");
        var id = deployment.BlueGreenDeploymentIdentifier!;
        DateTimeOffset? started = state.BlueTags.TryGetValue(BlueGreenDeployments.SwitchoverStartedTag, out var startedText)
            ? DateTimeOffset.Parse(startedText, System.Globalization.CultureInfo.InvariantCulture)
            : null;

        // After a switchover AWS rolled back (timeout or guardrail) the deployment may read SWITCHOVER_FAILED
        // rather than AVAILABLE (the API reference: "Switchover was attempted but failed"): blue is as it was, ask again.
        if (deployment.Status is "AVAILABLE" or "SWITCHOVER_FAILED" && !state.IsSwitchedOver)
        {
            await SwitchoverSequences.SetAheadAsync(run, state.Blue!, deployment, cancellationToken).ConfigureAwait(false);
            started = await AskAsync(run, state, deployment, id, cancellationToken).ConfigureAwait(false);
        }
        else if (deployment.Status is not ("SWITCHOVER_IN_PROGRESS" or "SWITCHOVER_COMPLETED"))
        {
            throw new SwitchoverFailedException($"Blue/Green deployment {id} is {BlueGreenReads.Describe(deployment)}; it cannot be switched over. Run ProvisionGreen, or Rollback.");
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
                    _ => Probe<BlueGreenDeployment>.NotYet(
                        current,
                        $"{current.Status}; " + string.Join(", ", (current.SwitchoverDetails ?? []).Select(s => $"{BlueGreenReads.NameIn(s.SourceMember)} {s.Status}"))),
                };
            },
            cancellationToken).ConfigureAwait(false);

        var (switchedAt, startedOrSeen, oldBlue) = await RecordSwitchedAsync(run, id, started, cancellationToken).ConfigureAwait(false);
        await SwitchoverSequences.RaiseToOldBlueAsync(run, oldBlue, cancellationToken).ConfigureAwait(false);
        run.Journal.Mark("switched", switchedAt);
        run.Journal.Fact(SwitchoverCompletedByFact, recordedBefore ? EarlierRun : ThisRun);
        run.Journal.Add("Switchover", $"{run.ClusterId} is now the former green ({done.Status}); the old blue is {oldBlue.DBClusterIdentifier}, read only and no longer replicated to.");
        return new BlueGreenResult { SwitchoverStarted = startedOrSeen, SwitchedAt = switchedAt };
    }

    /// <summary>After AWS completed the switchover: the old blue records when it was asked for (if an earlier run could not) and when it completed.</summary>
    private static async Task<(DateTimeOffset SwitchedAt, DateTimeOffset Started, DBCluster OldBlue)> RecordSwitchedAsync(
        RekeyRun run, string id, DateTimeOffset? started, CancellationToken cancellationToken)
    {
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
            run.Journal.Add(
                "Switchover",
                $"The switchover of {id} was asked for by a run that stopped before recording the time; {Tagging.Iso(now)} (when this run saw it) stands in.",
                Reporting.JournalLevel.Warning);
        }

        if (after.Phase != BlueGreenDeployments.Switched && after.Phase != BlueGreenDeployments.Verified)
        {
            await run.Rds.AddAsync(
                oldBlue.DBClusterArn!,
                new Dictionary<string, string> { [RekeyTags.Phase] = BlueGreenDeployments.Switched, [BlueGreenDeployments.SwitchedAtTag] = Tagging.Iso(switchedAt) },
                cancellationToken).ConfigureAwait(false);
        }

        return (switchedAt, started.Value, oldBlue);
    }

    /// <summary>Asks AWS for the switchover, tagging blue first; returns when AWS received the request (its Date).</summary>
    private static async Task<DateTimeOffset> AskAsync(RekeyRun run, BlueGreenState state, BlueGreenDeployment deployment, string id, CancellationToken cancellationToken)
    {
        var blue = state.Blue!;
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
            var started = response.RequireServerDate();
            run.Journal.Mark("switchover-started", started);
            run.Journal.Add("Switchover", $"Asked for the switchover of {id} with a {run.Settings.SwitchoverTimeout.TotalSeconds:0} s timeout.");
            return started;
        }
        catch (AmazonServiceException exception) when (exception.ErrorCode == "InvalidBlueGreenDeploymentStateFault")
        {
            throw new SwitchoverFailedException(
                $"AWS refused the switchover of {id}: {exception.Message}. {run.ClusterId} is unchanged and keeps taking writes; fix the cause and run Cutover again, or Rollback.", exception);
        }
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
}
