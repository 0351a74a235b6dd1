using Amazon.Runtime;
using Microsoft.Extensions.Logging;
using Rekey.Aws.RDS.Model;
using Rekey.Clusters;
using Rekey.Runtime;
using Rekey.State;
using Rekey.Strategies;
using Rekey.Waiting;

namespace Rekey.BlueGreen;

/// <summary>The Rollback step of a Blue/Green cutover; its rules are Rollback's (<see cref="RestoreSwap.Rollback.Rules"/>), shared by both strategies.</summary>
public static class BlueGreenRollback
{
    /// <summary>
    /// Rollback of a Blue/Green cutover. Before the switchover: the deployment is deleted with its green
    /// cluster and blue is untouched. During it: refused until AWS completes it or rolls it back. After it:
    /// the old blue has none of the writes made since, so going back means a restore-swap of the new cluster
    /// onto the old key; Rollback does not do that itself and always refuses, with --restore-swap-back naming
    /// the exact next step (Rekey's restore-swap onto a customer managed old key; by hand for aws/rds).
    /// </summary>
    public static async Task RunAsync(RekeyRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var state = await BlueGreenState.ReadAsync(run, cancellationToken).ConfigureAwait(false);
        if (state.IsSwitchedOver)
        {
            var explanation =
                $"{run.ClusterId} was switched over at {state.BlueTags.GetValueOrDefault(BlueGreenDeployments.SwitchedAtTag) ?? "(unrecorded)"}: "
                + "applications write to the new cluster, on the new key. "
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
            await DeleteWithItsGreenAsync(run, deployment, cancellationToken).ConfigureAwait(false);
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

        run.Log.LogInformation("Deleted the Blue/Green deployment of {Cluster} with its green and removed its Blue/Green tags; the result is read from AWS next", run.ClusterId);
    }

    /// <summary>Deletes the deployment with its green cluster (Rekey's own copy, never production before the switchover) and waits until it is gone.</summary>
    private static async Task DeleteWithItsGreenAsync(RekeyRun run, BlueGreenDeployment deployment, CancellationToken cancellationToken)
    {
        var id = deployment.BlueGreenDeploymentIdentifier!;

        if (deployment.Status != "DELETING")
        {
            var green = await BlueGreenReads.GreenAsync(run, deployment, cancellationToken).ConfigureAwait(false);
            if (green?.DeletionProtection == true)
            {
                // AWS refuses to delete a protected green; it is Rekey's own copy, never production before the switchover.
                await run.Rds.ModifyDBClusterAsync(
                    new ModifyDBClusterRequest { DBClusterIdentifier = green.DBClusterIdentifier, DeletionProtection = false, ApplyImmediately = true },
                    cancellationToken).ConfigureAwait(false);
            }

            try
            {
                await run.Rds.DeleteBlueGreenDeploymentAsync(new DeleteBlueGreenDeploymentRequest { BlueGreenDeploymentIdentifier = id, DeleteTarget = true }, cancellationToken).ConfigureAwait(false);
                run.Journal.Add("Rollback", $"Deleting Blue/Green deployment {id} with its green cluster {BlueGreenReads.NameIn(deployment.Target)}; {run.ClusterId} was never changed.");
            }
            catch (AmazonServiceException exception) when (exception.ErrorCode == "BlueGreenDeploymentNotFoundFault")
            {
                // Deleted by an earlier attempt.
            }
        }

        await run.Wait.UntilAsync(
            $"Blue/Green deployment {id} to be deleted",
            BlueGreenReads.Capped(run, run.Wait.Settings.DeleteDeadline),
            async token =>
            {
                var left = await BlueGreenDeployments.FindAsync(run, id, token).ConfigureAwait(false);
                return left is null ? Probe<bool>.Ready(true, "deleted") : Probe<bool>.NotYet(false, left.Status ?? "unknown");
            },
            cancellationToken).ConfigureAwait(false);
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
                + $"aws rds copy-db-cluster-snapshot --source-db-cluster-snapshot-identifier {run.ClusterId}-back "
                + $"--target-db-cluster-snapshot-identifier {run.ClusterId}-back-aws-rds --kms-key-id alias/aws/rds; "
                + $"then restore-db-cluster-from-snapshot and create-db-instance under new names and point the applications at them. Keeping the new cluster loses nothing.";
        }

        return $"run ./build.sh --target=Cutover --strategy=restore-swap --cluster={run.ClusterId} --kms-key={key.Arn} --confirm={run.ClusterId} "
            + $"once VerifyBlueGreen has passed: it moves the new cluster, with every write since the switchover, onto the old key (an outage of tens of minutes).";
    }
}
