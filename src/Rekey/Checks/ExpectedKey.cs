using Rekey.Migration;
using Rekey.Runtime;
using Rekey.Strategies;

namespace Rekey.Checks;

/// <summary>The key a target's final read compares the cluster with: this run's key, never what the cluster shows.</summary>
public static class ExpectedKey
{
    /// <summary>
    /// The key resolved earlier in this run, else <c>--kms-key</c>, else the target key recorded on the cluster by the
    /// cutover (a step run alone without <c>--kms-key</c> verifies the cutover the tags describe).
    /// </summary>
    public static async Task<string> ArnAsync(RekeyRun run, string? resolved, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (resolved is not null)
        {
            return resolved;
        }

        if (run.Settings.KmsKey is not null)
        {
            return await run.TargetKeyArnAsync(cancellationToken).ConfigureAwait(false);
        }

        var recorded = await BlueGreenState.IsBlueGreenCutoverAsync(run, cancellationToken).ConfigureAwait(false)
            ? (await BlueGreenState.ReadAsync(run, cancellationToken).ConfigureAwait(false)).TargetKeyArn
            : (await MigrationState.ReadAsync(run, cancellationToken).ConfigureAwait(false)).TargetKeyArn;
        return recorded ?? throw new VerificationFailedException(
            $"{run.ClusterId} carries no recorded target key ({State.RekeyTags.TargetKey}) and no --kms-key was given, "
            + "so the final read has no key to compare the cluster with. Give --kms-key=<the cutover's key>.");
    }
}
