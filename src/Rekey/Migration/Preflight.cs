using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Microsoft.Extensions.Logging;
using Rekey.Aws.RDS.Model;
using Rekey.Checks;
using Rekey.Clusters;
using Rekey.Configuration;
using Rekey.Runtime;
using Rekey.State;
using Rekey.Strategies;

namespace Rekey.Migration;

/// <summary>
/// Reads the cluster, its instances, the target key and what depends on the cluster, and lists every
/// reason the cutover cannot start and every thing the operator should know. Changes nothing.
/// </summary>
public static partial class Preflight
{
    private const int MaxIdentifierLength = 63;

    public static async Task<PreflightReport> RunAsync(RekeyRun run, CancellationToken cancellationToken)
    {
        var blocks = new Blocks();
        var checks = new PreflightChecks();
        var report = await CheckAsync(run, blocks, checks, cancellationToken).ConfigureAwait(false);
        if (checks.Items.Items.Count > 0)
        {
            // Every item, passed, failed or not measured, goes to the report and the job summary.
            run.Journal.RecordChecks("Preflight", checks.Items);
        }

        report = report with { Checks = checks.Items.Items };
        return blocks.HeldBy is { } holder && !report.Passed ? report with { HeldBy = holder } : report;
    }

    private static async Task<PreflightReport> CheckAsync(RekeyRun run, Blocks blocks, PreflightChecks checks, CancellationToken cancellationToken)
    {
        var warnings = new List<string>();
        CheckKeyArguments(run.Settings, blocks);
        var state = await MigrationState.ReadAsync(run, cancellationToken).ConfigureAwait(false);
        if (await ReportOnEarlierCutoverAsync(run, state, blocks, warnings, cancellationToken).ConfigureAwait(false) is { } earlier)
        {
            return earlier;
        }

        var cluster = state.AtOriginalName;
        if (cluster is null)
        {
            blocks.Add(
                $"DB cluster {run.ClusterId} does not exist in {run.Region.SystemName} for this account. "
                + "Check --cluster, --region and the credentials' account.");
            return new PreflightReport { ClusterId = run.ClusterId, Blocks = blocks, Warnings = warnings };
        }

        KeyMetadata? key = null;
        if (run.Settings.KmsKey is { } keyReference)
        {
            key = await CheckTargetKeyAsync(run, keyReference, blocks, checks, cancellationToken).ConfigureAwait(false);

            // Only a usable target counts as "already done": a cluster on aws/rds asked to move to aws/rds must be refused.
            if (key is not null && blocks.Count == 0 && string.Equals(cluster.KmsKeyId, key.Arn, StringComparison.Ordinal))
            {
                return Done(run, key.Arn, warnings);
            }
        }

        // Blocks that only restore-swap has: Blue/Green encrypts an unencrypted blue, keeps the names and needs no old names.
        var restoreSwapBlocks = new List<string>();
        await CheckReadsAsync(run, state, cluster, blocks, restoreSwapBlocks, warnings, checks, cancellationToken).ConfigureAwait(false);

        warnings.Add(
            "If Terraform (or CloudFormation) manages this cluster, change its kms_key_id to the new key's ARN before the next plan: "
            + "the key and the identifier force a replacement, which would destroy the new cluster.");

        Terraform.TerraformChecks.BeforeCutover(run, key?.Arn, blocks);
        await Forecast.DressRehearsalCluster.WarnIfStrayAsync(run, warnings, cancellationToken).ConfigureAwait(false);

        var verdict = await BlueGreenVerdictAsync(run, cluster, checks, cancellationToken).ConfigureAwait(false);
        return ChooseStrategy(run, cluster, key, verdict, blocks, restoreSwapBlocks, warnings);
    }

    /// <summary>--kms-key is required, and --create-key needs it to be an alias.</summary>
    private static void CheckKeyArguments(RekeySettings settings, Blocks blocks)
    {
        if (settings.KmsKey is null)
        {
            blocks.Add("No target key: give --kms-key=<key id, key ARN, alias/NAME or alias ARN> (with --create-key to create it under an alias).");
        }
        else if (settings.CreateKey && !settings.KmsKey.IsAlias)
        {
            blocks.Add($"--create-key needs an alias to create the key under, not {settings.KmsKey}: give --kms-key=alias/NAME.");
        }
    }

    /// <summary>
    /// The report on a cluster an earlier cutover has touched: kept as another cutover's fallback (refused), a Blue/Green
    /// or restore-swap cutover under way (resumed) or finished (done for its own key). Null for a cluster no cutover touched.
    /// </summary>
    private static async Task<PreflightReport?> ReportOnEarlierCutoverAsync(
        RekeyRun run, MigrationState state, Blocks blocks, List<string> warnings, CancellationToken cancellationToken)
    {
        // A cluster Rekey kept under another name is the fallback of another cutover, not a candidate.
        if (KeptOldCluster.BelongsTo(state.AtOriginalName) is { } owner)
        {
            blocks.Add(KeptOldCluster.Refusal(state.AtOriginalName!, owner));
            return new PreflightReport { ClusterId = run.ClusterId, Blocks = blocks, Warnings = warnings };
        }

        // A Blue/Green cutover is found by its tags alone (without the Blue/Green API), whatever --strategy says:
        // one under way is resumed, or refused to restore-swap; a finished one is done only for its own key.
        if (await BlueGreenState.IsBlueGreenCutoverAsync(run, cancellationToken).ConfigureAwait(false))
        {
            var blueGreen = await BlueGreenState.ReadAsync(run, cancellationToken).ConfigureAwait(false);
            if (blueGreen.IsUnderWay)
            {
                return BlueGreenResumeReport(run, blueGreen, blocks, warnings);
            }

            if (blueGreen.IsSwitchedOver && blueGreen.AtOriginalName is { } switched
                && await FinishedBlueGreenReportAsync(run, blueGreen, switched, blocks, warnings, cancellationToken).ConfigureAwait(false) is { } finished)
            {
                return finished;
            }
        }

        // A cutover already under way is resumed, not checked again from the start.
        return state.IsRenamed || state.IsFencing || state.Target is not null
            ? await ResumeReportAsync(run, state, blocks, warnings, cancellationToken).ConfigureAwait(false)
            : null;
    }

    /// <summary>The target key, described and checked, with its checklist item (the key policy has items of its own).</summary>
    private static async Task<KeyMetadata?> CheckTargetKeyAsync(
        RekeyRun run, KmsKeyReference keyReference, Blocks blocks, PreflightChecks checks, CancellationToken cancellationToken)
    {
        var before = blocks.Count;
        var key = await DescribeTargetKeyAsync(run, keyReference, blocks, checks, cancellationToken).ConfigureAwait(false);
        var keyBlocks = blocks.Skip(before).Where(b =>
            !b.Contains("(kms:GetKeyPolicy)", StringComparison.Ordinal) && !b.Contains("its key policy does not let", StringComparison.Ordinal));
        checks.Record($"--kms-key {keyReference} exists and can encrypt the new cluster in {run.Region.SystemName}", keyBlocks);
        return key;
    }

    /// <summary>Blue/Green or restore-swap, and the report with the blocks of the strategy chosen.</summary>
    private static PreflightReport ChooseStrategy(
        RekeyRun run, DBCluster cluster, KeyMetadata? key, BlueGreenVerdict verdict, Blocks blocks, List<string> restoreSwapBlocks, List<string> warnings)
    {
        var clusterId = run.ClusterId;
        var unencrypted = cluster.IsUnencrypted() ? new[] { UnencryptedRestoreSwapBlock(clusterId) } : [];
        var (strategy, reason) = BlueGreenEligibility.Choose(run.Settings.Strategy, verdict, unencrypted);
        var chosenBlocks = new List<string>(blocks);
        if (strategy == CutoverStrategy.BlueGreen)
        {
            chosenBlocks.AddRange(verdict.Blockers.Select(b => "Blue/Green: " + b));
            warnings.AddRange(verdict.Warnings);
        }
        else
        {
            chosenBlocks.AddRange(restoreSwapBlocks);
        }

        run.Log.LogInformation(
            "Preflight of {Cluster}: {Strategy} ({Reason}); {Blocks} blocking, {Warnings} warnings",
            clusterId,
            strategy.Name(),
            reason,
            chosenBlocks.Count,
            warnings.Count);
        return new PreflightReport
        {
            ClusterId = clusterId,
            Blocks = chosenBlocks,
            Warnings = warnings,
            TargetKeyArn = key?.Arn,
            Strategy = strategy,
            StrategyReason = reason,
            BlueGreen = verdict,
            RestoreSwapBlocks = [.. blocks, .. restoreSwapBlocks],
            RestoreSwapOnlyBlocks = restoreSwapBlocks,
            CommonBlocks = [.. blocks],
            SourceEncryptionType = cluster.TypeOf(),
        };
    }

    /// <summary>
    /// The checks of a cluster no cutover has touched yet: its state, its lock, the old names, global cluster membership,
    /// zero-ETL integrations (each passed, failed, or not measured when AWS refuses the read) and what depends on it.
    /// </summary>
    private static async Task CheckReadsAsync(
        RekeyRun run, MigrationState state, DBCluster cluster, Blocks blocks, List<string> restoreSwapBlocks, List<string> warnings, PreflightChecks checks, CancellationToken cancellationToken)
    {
        var clusterId = run.ClusterId;
        var before = blocks.Count;
        CheckCluster(cluster, run.Settings, blocks, restoreSwapBlocks, warnings);
        checks.Record($"DB cluster {clusterId} is an available Aurora cluster with nothing pending", blocks.Skip(before));
        if (state.LockHolder is { } holder && holder != run.RunId)
        {
            blocks.HeldBy = holder;
            blocks.Add(
                $"DB cluster {clusterId} is locked by run {holder} (tag {RekeyTags.Lock}). "
                + $"Wait for that run, or if it died, resume it with --run-id={holder} (in the Rekey workflow, the run-id input).");
        }

        checks.Record($"no other run holds the lock of {clusterId}", blocks.HeldBy is null ? [] : [blocks[^1]]);
        var reader = new ClusterReader(run.Rds);
        var instances = await reader.InstancesOfAsync(clusterId, cancellationToken).ConfigureAwait(false);
        await CheckOldNamesAsync(run, reader, cluster, instances, restoreSwapBlocks, cancellationToken).ConfigureAwait(false);
        await checks.RunAsync(
            $"DB cluster {clusterId} is no member of a global cluster",
            blocks,
            () => CheckGlobalClusterAsync(run, cluster, blocks, cancellationToken),
            $"aws rds describe-global-clusters (each GlobalClusterMembers list), or the RDS console's global databases").ConfigureAwait(false);
        await checks.RunAsync(
            $"no zero-ETL integration has {clusterId} as its source",
            blocks,
            () => CheckIntegrationsAsync(run, cluster, blocks, cancellationToken),
            $"aws rds describe-integrations (each SourceArn), or the RDS console's zero-ETL integrations").ConfigureAwait(false);
        await checks.RunAsync(
            $"RDS Proxy targets and event subscriptions naming {clusterId} are known",
            warnings,
            () => WarnAboutDependentsAsync(run, cluster, warnings, cancellationToken),
            $"aws rds describe-db-proxy-targets for each proxy and aws rds describe-event-subscriptions: re-register proxy targets after the cutover, and know that subscriptions follow the name",
            essential: false).ConfigureAwait(false);
    }

    /// <summary>Blue/Green's verdict; an endpoint that does not serve the Blue/Green API makes it a blocker, not a failure of Preflight.</summary>
    private static async Task<BlueGreenVerdict> BlueGreenVerdictAsync(RekeyRun run, DBCluster cluster, PreflightChecks checks, CancellationToken cancellationToken)
    {
        try
        {
            return await BlueGreenEligibility.EvaluateAsync(run, cluster, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonServiceException exception) when (exception.ErrorCode is "InvalidAction" or "AccessDenied" or "AccessDeniedException")
        {
            // What the cluster itself shows is still judged, so every other blocker is named too.
            var judged = BlueGreenEligibility.Judge(new BlueGreenFacts { Cluster = cluster });

            // Supplementary: Blue/Green then carries this as a blocker, so a cutover never rests on it.
            checks.Items.NotMeasuredBecause(
                $"DB cluster {cluster.DBClusterIdentifier} can be moved by a Blue/Green deployment",
                $"AWS refused or does not serve the Blue/Green API ({exception.ErrorCode}: {exception.Message}).",
                "aws rds describe-blue-green-deployments with the run's role, and the Blue/Green limitations in the RDS User Guide; restore-swap does not need the API",
                essential: false);
            return judged with { Blockers = [$"Blue/Green's API could not be read ({exception.ErrorCode}: {exception.Message}).", .. judged.Blockers] };
        }
    }

    /// <summary>
    /// Why restore-swap cannot move an unencrypted cluster: RestoreDBClusterToPointInTime rejects KmsKeyId for an
    /// unencrypted source, and a snapshot of it restores unencrypted. Blue/Green's TargetKmsKeyId encrypts it.
    /// </summary>
    public static string UnencryptedRestoreSwapBlock(string? id) =>
        $"DB cluster {id} is not encrypted (StorageEncryptionType none); a point-in-time restore rejects a key for an unencrypted source, and its snapshots restore unencrypted. "
        + "The way AWS offers is a Blue/Green deployment whose green is encrypted with the target key (TargetKmsKeyId): --strategy=blue-green (auto picks it).";

    private static void CheckCluster(DBCluster cluster, RekeySettings settings, List<string> blocks, List<string> restoreSwapBlocks, List<string> warnings)
    {
        var id = cluster.DBClusterIdentifier;
        if (!cluster.IsAurora())
        {
            blocks.Add($"DB cluster {id} runs {cluster.Engine}, not Aurora; Rekey migrates Aurora clusters only.");
        }

        if (string.Equals(cluster.EngineMode, "serverless", StringComparison.OrdinalIgnoreCase))
        {
            blocks.Add($"DB cluster {id} is Aurora Serverless v1, which point-in-time restore into a provisioned or Serverless v2 cluster does not cover; upgrade it to Serverless v2 first.");
        }

        if (string.Equals(cluster.ClusterScalabilityType, "limitless", StringComparison.OrdinalIgnoreCase))
        {
            blocks.Add($"DB cluster {id} is an Aurora Limitless Database cluster, which Rekey does not migrate.");
        }

        if (!cluster.IsAvailable())
        {
            blocks.Add($"DB cluster {id} is {cluster.Status}; wait until it is available.");
        }

        if (cluster.HasPendingModifications())
        {
            blocks.Add($"DB cluster {id} has pending modifications; apply them (or let the maintenance window do so) first.");
        }

        if (cluster.IsUnencrypted())
        {
            restoreSwapBlocks.Add(UnencryptedRestoreSwapBlock(id));
        }

        if (cluster.MasterUserSecret is { SecretArn: { } secret } && !settings.AcceptNewMasterSecret)
        {
            restoreSwapBlocks.Add(
                $"DB cluster {id} keeps its master password in Secrets Manager ({secret}); the restored cluster gets a new secret and password, "
                + "so applications that read the old secret break. Move them to the new secret's ARN after the cutover and give --accept-new-master-secret.");
        }

        if (cluster.ActivityStreamStatus is { } streams && !string.Equals(streams, ActivityStreamStatus.Stopped, StringComparison.OrdinalIgnoreCase))
        {
            warnings.Add($"Database activity streams are {streams} on {id}; start them again on the new cluster after the cutover.");
        }

        if (cluster.DeletionProtection == true)
        {
            warnings.Add($"Deletion protection is on for {id}; the new cluster gets it too, and Cleanup lifts it on the old cluster only to delete it.");
        }
    }

    /// <summary>The reasons the cutover cannot start, and the run whose lock is one of them (exit code 4, not 3).</summary>
    private sealed class Blocks : List<string>
    {
        public string? HeldBy { get; set; }
    }
}
