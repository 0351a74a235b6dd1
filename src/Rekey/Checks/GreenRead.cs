using Rekey.Runtime;
using Rekey.State;
using Rekey.Strategies;

namespace Rekey.Checks;

/// <summary>
/// "Green is ready for the switchover", read from AWS when the target ends: the deployment AVAILABLE (or
/// SWITCHOVER_FAILED, which AWS accepts a new switchover from), its green cluster on this run's key, and no other run
/// holding blue's lock.
/// </summary>
public static class GreenRead
{
    public static async Task RequireAsync(RekeyRun run, string step, string? resolvedKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var state = await BlueGreenState.ReadAsync(run, cancellationToken).ConfigureAwait(false);
        await RequireAsync(run, step, resolvedKey, state, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The same verdict on <paramref name="state"/>, which the caller read from AWS just before, with nothing changed since.</summary>
    public static async Task RequireAsync(RekeyRun run, string step, string? resolvedKey, BlueGreenState state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(state);
        var key = await ExpectedKey.ArnAsync(run, resolvedKey, cancellationToken).ConfigureAwait(false);
        var id = state.BlueTags.GetValueOrDefault(BlueGreenDeployments.DeploymentTag) ?? state.Deployment?.BlueGreenDeploymentIdentifier;
        // The state's read holds the deployment by its tagged id: no call of its own.
        var deployment = id is null ? null : state.Deployment?.BlueGreenDeploymentIdentifier == id
            ? state.Deployment
            : await BlueGreenDeployments.FindAsync(run, id, cancellationToken).ConfigureAwait(false);
        var read = new Checklist();
        read.Check(
            deployment?.Status is "AVAILABLE" or "SWITCHOVER_FAILED",
            $"Blue/Green deployment {id} is {deployment?.Status}",
            deployment is null
                ? $"AWS shows no Blue/Green deployment {id ?? "of Rekey's"} for {run.ClusterId}."
                : $"AWS shows Blue/Green deployment {id} {deployment.Status}, not AVAILABLE.");
        var green = deployment is null ? null : await BlueGreen.BlueGreenReads.GreenAsync(run, deployment, cancellationToken).ConfigureAwait(false);
        read.Check(
            green is not null && string.Equals(green.KmsKeyId, key, StringComparison.Ordinal),
            $"green cluster {green?.DBClusterIdentifier} is encrypted with this run's key {key}",
            green is null
                ? $"AWS shows no green cluster for {id}."
                : $"AWS shows green cluster {green.DBClusterIdentifier} encrypted with {green.KmsKeyId ?? "no key"}, not this run's key {key}.");
        read.Check(
            state.LockHolder is null || state.LockHolder == run.RunId,
            $"no other run holds the lock of {run.ClusterId}",
            $"Run {state.LockHolder} holds the lock of {run.ClusterId} (tag {RekeyTags.Lock}): the cluster is that run's to change.");
        ReadAtTheEnd.Require(run, step, $"green of {run.ClusterId} is ready for the switchover on {key}", read);
    }
}
