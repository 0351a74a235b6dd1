using Microsoft.Extensions.Logging;
using Rekey.Aws.RDS.Model;
using Rekey.Configuration;
using Rekey.Runtime;
using Rekey.State;
using Rekey.Strategies;

namespace Rekey.Migration;
/// <summary>A cluster a cutover has already touched: resumed, done for its key, or refused.</summary>
public static partial class Preflight
{
    private static PreflightReport BlueGreenResumeReport(RekeyRun run, BlueGreenState state, Blocks blocks, List<string> warnings)
    {
        if (state.LockHolder is { } holder && holder != run.RunId)
        {
            HeldByAnotherRun(blocks, holder, $"A Blue/Green cutover of {run.ClusterId}", state.Blue!.DBClusterIdentifier);
        }

        if (run.Settings.Strategy == CutoverStrategy.RestoreSwap)
        {
            var deployment = state.Deployment?.BlueGreenDeploymentIdentifier
                ?? state.BlueTags.GetValueOrDefault(BlueGreenDeployments.DeploymentTag)
                ?? "not created yet";
            blocks.Add(
                $"A Blue/Green cutover of {run.ClusterId} is under way (phase {state.Phase ?? "none"}, deployment {deployment}); "
                + $"--strategy={CutoverStrategy.RestoreSwap.Name()} would fence a cluster with a live Blue/Green deployment. "
                + $"Finish it (run Cutover without --strategy, or with --strategy={CutoverStrategy.BlueGreen.Name()}), or Rollback, before a restore-swap.");
        }

        run.Log.LogInformation("Preflight of {Cluster}: resuming a Blue/Green cutover in phase {Phase}", run.ClusterId, state.Phase);
        return Resuming(run, blocks, warnings, state.TargetKeyArn, CutoverStrategy.BlueGreen, $"phase {state.Phase}");
    }

    private static async Task<PreflightReport> ResumeReportAsync(
        RekeyRun run, MigrationState state, Blocks blocks, List<string> warnings, CancellationToken cancellationToken)
    {
        // The run the tags name may take the lock back (see ClusterLock.AcquireAsync).
        if (state.LockHolder is { } holder && holder != run.RunId && state.RecordedRunId != run.RunId)
        {
            HeldByAnotherRun(blocks, holder, $"A cutover of {run.ClusterId}", state.Source?.DBClusterIdentifier);
        }

        if (state.Target is { } done && state.LockHolder is null && (state.Source is null || state.Phase is "finalized" or "verified"))
        {
            // Done only for the key asked for: a finished cluster asked to move to another key is refused, not reported done.
            await CompareFinishedKeyAsync(run, done, blocks, cancellationToken).ConfigureAwait(false);
            return Finished(run, done, blocks, warnings);
        }

        if (run.Settings.Strategy == CutoverStrategy.BlueGreen)
        {
            blocks.Add(
                $"A restore-swap cutover of {run.ClusterId} is under way (phase {state.Phase ?? "fencing"}; "
                + $"the old cluster is {state.Source?.DBClusterIdentifier ?? "gone"}); a Blue/Green deployment cannot start from it. "
                + $"Finish it (run Cutover without --strategy, or with --strategy={CutoverStrategy.RestoreSwap.Name()}), or Rollback, before a Blue/Green cutover.");
        }

        if (run.Settings.KmsKey is { } keyReference && state.TargetKeyArn is { } recorded)
        {
            var key = await TargetKey.DescribeAsync(run, keyReference.Value, cancellationToken).ConfigureAwait(false);
            if (key is not null && !string.Equals(key.Arn, recorded, StringComparison.Ordinal))
            {
                blocks.Add(RecordedTargetKey.Refusal(run, "Preflight", state.RecordedRunId, recorded, key.Arn));
            }
        }

        run.Log.LogInformation("Preflight of {Cluster}: resuming a cutover in phase {Phase}", run.ClusterId, state.Phase ?? "fencing");
        return Resuming(run, blocks, warnings, state.TargetKeyArn, CutoverStrategy.RestoreSwap, $"phase {state.Phase ?? "fencing"}");
    }

    /// <summary>
    /// A verified Blue/Green cutover: nothing to do for the key it moved the cluster to, refused for any other
    /// (its later steps would find the switchover done and pass without changing anything). Null for a
    /// restore-swap back onto the old blue's customer managed key, which the Blue/Green Rollback names as the way back.
    /// </summary>
    private static async Task<PreflightReport?> FinishedBlueGreenReportAsync(
        RekeyRun run, BlueGreenState state, DBCluster done, List<string> blocks, List<string> warnings, CancellationToken cancellationToken)
    {
        if (run.Settings.KmsKey is { } keyReference && run.Settings.Strategy == CutoverStrategy.RestoreSwap)
        {
            var key = await TargetKey.DescribeAsync(run, keyReference.Value, cancellationToken).ConfigureAwait(false);
            if (key is not null
                && key.KeyManager == Amazon.KeyManagementService.KeyManagerType.CUSTOMER
                && string.Equals(key.Arn, state.OldBlue?.KmsKeyId, StringComparison.Ordinal)
                && !string.Equals(key.Arn, done.KmsKeyId, StringComparison.Ordinal))
            {
                return null;
            }
        }

        await CompareFinishedKeyAsync(run, done, blocks, cancellationToken).ConfigureAwait(false);
        run.Log.LogInformation(
            "Preflight of {Cluster}: a Blue/Green cutover moved it to {Key}; the old blue is {OldBlue}",
            run.ClusterId,
            done.KmsKeyId,
            state.OldBlue?.DBClusterIdentifier);
        return Finished(run, done, blocks, warnings);
    }

    private static async Task CompareFinishedKeyAsync(RekeyRun run, DBCluster done, List<string> blocks, CancellationToken cancellationToken)
    {
        if (run.Settings.KmsKey is not { } keyReference)
        {
            return;
        }

        var key = await TargetKey.DescribeAsync(run, keyReference.Value, cancellationToken).ConfigureAwait(false);
        var moved = $"DB cluster {run.ClusterId} was moved by Rekey to key {done.KmsKeyId}";
        var confirm = $"Give --kms-key={done.KmsKeyId} to confirm the cutover is done; moving the cluster to another key is a new cutover, after Cleanup of this one.";
        if (key is null)
        {
            blocks.Add($"{moved}, and --kms-key {keyReference} does not exist in {run.Region.SystemName}. {confirm}");
        }
        else if (!string.Equals(key.Arn, done.KmsKeyId, StringComparison.Ordinal))
        {
            blocks.Add($"{moved}, not to --kms-key {keyReference} ({key.Arn}). {confirm}");
        }
    }

    /// <summary>Another run holds the cluster's lock: the cutover must wait for it, or resume it under its run id.</summary>
    private static void HeldByAnotherRun(Blocks blocks, string holder, string cutover, string? lockedCluster)
    {
        blocks.HeldBy = holder;
        blocks.Add(
            $"{cutover} by run {holder} is under way (tag {RekeyTags.Lock} on {lockedCluster}). "
            + $"Wait for it, or if it died, resume it with --run-id={holder} (in the Rekey workflow, the run-id input).");
    }

    /// <summary>A cutover under way, which the steps resume from where it stopped under the strategy it began with.</summary>
    private static PreflightReport Resuming(
        RekeyRun run, Blocks blocks, List<string> warnings, string? targetKeyArn, CutoverStrategy strategy, string phase)
    {
        var (cutover, kind) = strategy == CutoverStrategy.BlueGreen ? ("A Blue/Green cutover", "Blue/Green") : ("A cutover", "restore-swap");
        warnings.Add($"{cutover} of {run.ClusterId} is under way ({phase}); the steps resume it from where it stopped.");
        return new PreflightReport
        {
            ClusterId = run.ClusterId,
            Blocks = blocks,
            Warnings = warnings,
            Resuming = true,
            TargetKeyArn = targetKeyArn,
            Strategy = strategy,
            StrategyReason = $"a {kind} cutover of this cluster is under way.",
        };
    }

    /// <summary>A finished cutover: refused with the blocks found, else nothing to do for the key it moved the cluster to.</summary>
    private static PreflightReport Finished(RekeyRun run, DBCluster done, List<string> blocks, List<string> warnings) =>
        blocks.Count > 0
            ? new PreflightReport { ClusterId = run.ClusterId, Blocks = blocks, Warnings = warnings, TargetKeyArn = done.KmsKeyId }
            : Done(run, done.KmsKeyId, warnings);

    /// <summary>The cluster is already on the key asked for.</summary>
    private static PreflightReport Done(RekeyRun run, string? keyArn, List<string> warnings) =>
        new() { ClusterId = run.ClusterId, NothingToDo = true, TargetKeyArn = keyArn, Warnings = warnings };
}
