using Microsoft.Extensions.Logging;
using Rekey.Aws.RDS.Model;
using Rekey.Runtime;
using Rekey.Safety;
using Rekey.State;
using Rekey.Strategies;
using Rekey.Waiting;

namespace Rekey.BlueGreen;

/// <summary>Blue/Green: waits until AWS says the deployment is AVAILABLE; it changes only the phase tag on blue.</summary>
public static class WaitForGreen
{
    public static StepRules Rules { get; } = StepRules.Of(
        "WaitForGreen", LockRule.Hold, ClusterExpectation.BlueExists, checksTargetKey: true, StepRules.RdsTags)
        .Reading(StepRules.ClusterReads, StepRules.AwsClockRead, StepRules.TargetKeyRead, StepRules.DeploymentRead);

    public static readonly TimeSpan ProvisionDeadline = TimeSpan.FromHours(12);

    /// <summary>Waits until the deployment is AVAILABLE, showing its status and tasks; INVALID_CONFIGURATION fails with AWS's details.</summary>
    public static async Task<BlueGreenDeployment> RunAsync(RekeyRun run, CancellationToken cancellationToken)
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

        // The first look is the deployment the state was read with a moment ago; each later look reads it again.
        var justRead = state.Deployment;
        var deployment = await run.Wait.Expecting(green).UntilAsync(
            $"green of {run.ClusterId} ({id}) to be AVAILABLE",
            BlueGreenReads.Capped(run, ProvisionDeadline),
            async token =>
            {
                var current = Interlocked.Exchange(ref justRead, null)
                    ?? await BlueGreenDeployments.FindAsync(run, id, token).ConfigureAwait(false)
                    ?? throw new InvalidOperationException($"Blue/Green deployment {id} disappeared while green was provisioned (deleted by someone else?). Run CreateBlueGreen again.");
                return current.Status switch
                {
                    // Green is built in every switchover status; the Switchover step deals with each (a rerun after a rolled-back switchover asks again).
                    "AVAILABLE" or "SWITCHOVER_IN_PROGRESS" or "SWITCHOVER_COMPLETED" or "SWITCHOVER_FAILED" => Probe<BlueGreenDeployment>.Ready(current, BlueGreenReads.Describe(current)),
                    "INVALID_CONFIGURATION" or "DELETING" => throw new InvalidOperationException(
                        $"Blue/Green deployment {id} is {current.Status}: {current.StatusDetails ?? "AWS gave no details"}. Rollback deletes it with its green cluster."),
                    _ => Probe<BlueGreenDeployment>.NotYet(current, BlueGreenReads.Describe(current)),
                };
            },
            cancellationToken).ConfigureAwait(false);
        if (state.Blue is { } blue && state.Phase == BlueGreenDeployments.Creating)
        {
            await run.Rds.AddAsync(blue.DBClusterArn!, RekeyTags.Phase, BlueGreenDeployments.Provisioned, cancellationToken).ConfigureAwait(false);
        }

        run.Journal.Add("WaitForGreen", $"Blue/Green deployment {id} is {deployment.Status}: {BlueGreenReads.TasksOf(deployment)}.");
        return deployment;
    }
}
