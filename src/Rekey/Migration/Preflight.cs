using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Amazon.SecurityToken.Model;
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
public static class Preflight
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
        var settings = run.Settings;
        var clusterId = run.ClusterId;

        if (settings.KmsKey is null)
        {
            blocks.Add("No target key: give --kms-key=<key id, key ARN, alias/NAME or alias ARN> (with --create-key to create it under an alias).");
        }
        else if (settings.CreateKey && !settings.KmsKey.IsAlias)
        {
            blocks.Add($"--create-key needs an alias to create the key under, not {settings.KmsKey}: give --kms-key=alias/NAME.");
        }

        var state = await MigrationState.ReadAsync(run, cancellationToken).ConfigureAwait(false);

        // A cluster Rekey kept under another name is the fallback of another cutover, not a candidate.
        if (KeptOldCluster.BelongsTo(state.AtOriginalName) is { } owner)
        {
            blocks.Add(KeptOldCluster.Refusal(state.AtOriginalName!, owner));
            return new PreflightReport { ClusterId = clusterId, Blocks = blocks, Warnings = warnings };
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
        if (state.IsRenamed || state.IsFencing || state.Target is not null)
        {
            return await ResumeReportAsync(run, state, blocks, warnings, cancellationToken).ConfigureAwait(false);
        }

        var cluster = state.AtOriginalName;
        if (cluster is null)
        {
            blocks.Add($"DB cluster {clusterId} does not exist in {run.Region.SystemName} for this account. Check --cluster, --region and the credentials' account.");
            return new PreflightReport { ClusterId = clusterId, Blocks = blocks, Warnings = warnings };
        }

        KeyMetadata? key = null;
        if (settings.KmsKey is { } keyReference)
        {
            var before = blocks.Count;
            key = await DescribeTargetKeyAsync(run, keyReference, blocks, checks, cancellationToken).ConfigureAwait(false);
            var keyBlocks = blocks.Skip(before).Where(b => !b.Contains("(kms:GetKeyPolicy)", StringComparison.Ordinal) && !b.Contains("its key policy does not let", StringComparison.Ordinal));
            checks.Record($"--kms-key {keyReference} exists and can encrypt the new cluster in {run.Region.SystemName}", keyBlocks);

            // Only a usable target counts as "already done": a cluster on aws/rds asked to move to aws/rds must be refused.
            if (key is not null
                && blocks.Count == 0
                && string.Equals(cluster.KmsKeyId, key.Arn, StringComparison.Ordinal))
            {
                return new PreflightReport { ClusterId = clusterId, NothingToDo = true, TargetKeyArn = key.Arn, Warnings = warnings };
            }
        }

        // Blocks that only restore-swap has: Blue/Green encrypts an unencrypted blue, keeps the names and needs no old names.
        var restoreSwapBlocks = new List<string>();
        await CheckReadsAsync(run, state, cluster, blocks, restoreSwapBlocks, warnings, checks, cancellationToken).ConfigureAwait(false);

        warnings.Add(
            "If Terraform (or CloudFormation) manages this cluster, change its kms_key_id to the new key's ARN before the next plan: "
            + "the key and the identifier force a replacement, which would destroy the new cluster.");

        Terraform.TerraformChecks.BeforeCutover(run, key?.Arn, blocks);
        await DressRehearsal.DressRehearsalCluster.WarnIfStrayAsync(run, warnings, cancellationToken).ConfigureAwait(false);

        var verdict = await BlueGreenVerdictAsync(run, cluster, checks, cancellationToken).ConfigureAwait(false);
        var (strategy, reason) = BlueGreenEligibility.Choose(settings.Strategy, verdict, cluster.IsUnencrypted() ? [UnencryptedRestoreSwapBlock(clusterId)] : []);
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

        var report = new PreflightReport
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
        run.Log.LogInformation("Preflight of {Cluster}: {Strategy} ({Reason}); {Blocks} blocking, {Warnings} warnings", clusterId, strategy.Name(), reason, chosenBlocks.Count, warnings.Count);
        return report;
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

    private static PreflightReport BlueGreenResumeReport(RekeyRun run, BlueGreenState state, Blocks blocks, List<string> warnings)
    {
        if (state.LockHolder is { } holder && holder != run.RunId)
        {
            blocks.HeldBy = holder;
            blocks.Add($"A Blue/Green cutover of {run.ClusterId} by run {holder} is under way (tag {RekeyTags.Lock} on {state.Blue!.DBClusterIdentifier}). Wait for it, or if it died, resume it with --run-id={holder} (in the Rekey workflow, the run-id input).");
        }

        if (run.Settings.Strategy == CutoverStrategy.RestoreSwap)
        {
            blocks.Add($"A Blue/Green cutover of {run.ClusterId} is under way (phase {state.Phase ?? "none"}, deployment {state.Deployment?.BlueGreenDeploymentIdentifier ?? state.BlueTags.GetValueOrDefault(BlueGreenDeployments.DeploymentTag) ?? "not created yet"}); "
                + $"--strategy={CutoverStrategy.RestoreSwap.Name()} would fence a cluster with a live Blue/Green deployment. Finish it (run Cutover without --strategy, or with --strategy={CutoverStrategy.BlueGreen.Name()}), or Rollback, before a restore-swap.");
        }

        warnings.Add($"A Blue/Green cutover of {run.ClusterId} is under way (phase {state.Phase}); the steps resume it from where it stopped.");
        run.Log.LogInformation("Preflight of {Cluster}: resuming a Blue/Green cutover in phase {Phase}", run.ClusterId, state.Phase);
        return new PreflightReport
        {
            ClusterId = run.ClusterId,
            Blocks = blocks,
            Warnings = warnings,
            Resuming = true,
            TargetKeyArn = state.TargetKeyArn,
            Strategy = CutoverStrategy.BlueGreen,
            StrategyReason = "a Blue/Green cutover of this cluster is under way.",
        };
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

    private static async Task CheckOldNamesAsync(
        RekeyRun run, ClusterReader reader, DBCluster cluster, IReadOnlyList<DBInstance> instances, List<string> blocks, CancellationToken cancellationToken)
    {
        var oldCluster = run.OldClusterId;
        if (oldCluster.Length > MaxIdentifierLength)
        {
            blocks.Add($"The old cluster's name {oldCluster} would be {oldCluster.Length} characters; RDS allows {MaxIdentifierLength}. Give a shorter --old-suffix.");
        }
        else if (await reader.FindClusterAsync(oldCluster, cancellationToken).ConfigureAwait(false) is not null)
        {
            blocks.Add($"The old cluster's name {oldCluster} is taken by another cluster. Give another --old-suffix, or delete or rename that cluster.");
        }

        foreach (var instance in instances)
        {
            var oldName = run.OldNameOf(instance.DBInstanceIdentifier!);
            if (oldName.Length > MaxIdentifierLength)
            {
                blocks.Add($"Instance {instance.DBInstanceIdentifier}'s old name {oldName} would be {oldName.Length} characters; RDS allows {MaxIdentifierLength}. Give a shorter --old-suffix.");
            }
            else if (await reader.FindInstanceAsync(oldName, cancellationToken).ConfigureAwait(false) is not null)
            {
                blocks.Add($"Instance {instance.DBInstanceIdentifier}'s old name {oldName} is taken by another instance. Give another --old-suffix.");
            }
        }

        if (instances.Count == 0)
        {
            blocks.Add($"DB cluster {cluster.DBClusterIdentifier} has no instances; there is no writer to fence.");
        }
    }

    private static async Task CheckGlobalClusterAsync(RekeyRun run, DBCluster cluster, List<string> blocks, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrEmpty(cluster.GlobalClusterIdentifier))
        {
            blocks.Add($"DB cluster {cluster.DBClusterIdentifier} is a member of global cluster {cluster.GlobalClusterIdentifier}; remove it from the global cluster first.");
            return;
        }

        await foreach (var global in run.Rds.DescribeGlobalClustersAllAsync(new DescribeGlobalClustersRequest(), cancellationToken).ConfigureAwait(false))
        {
            if (global.GlobalClusterMembers?.Any(m => string.Equals(m.DBClusterArn, cluster.DBClusterArn, StringComparison.Ordinal)) == true)
            {
                blocks.Add($"DB cluster {cluster.DBClusterIdentifier} is a member of global cluster {global.GlobalClusterIdentifier}; remove it from the global cluster first.");
            }
        }
    }

    private static async Task WarnAboutDependentsAsync(RekeyRun run, DBCluster cluster, List<string> warnings, CancellationToken cancellationToken)
    {
        await foreach (var proxy in run.Rds.DescribeDBProxiesAllAsync(new DescribeDBProxiesRequest(), cancellationToken).ConfigureAwait(false))
        {
            var targets = run.Rds.DescribeDBProxyTargetsAllAsync(new DescribeDBProxyTargetsRequest { DBProxyName = proxy.DBProxyName }, cancellationToken);
            await foreach (var target in targets.ConfigureAwait(false))
            {
                if (string.Equals(target.TrackedClusterId, cluster.DBClusterIdentifier, StringComparison.Ordinal)
                    || string.Equals(target.RdsResourceId, cluster.DBClusterIdentifier, StringComparison.Ordinal))
                {
                    warnings.Add($"RDS Proxy {proxy.DBProxyName} targets this cluster; Finalize registers the new cluster with it, and connections through the proxy drop at the fence.");
                    break;
                }
            }
        }

        var subscriptions = run.Rds.DescribeEventSubscriptionsAllAsync(new DescribeEventSubscriptionsRequest(), cancellationToken);
        await foreach (var subscription in subscriptions.ConfigureAwait(false))
        {
            if (subscription.SourceIdsList?.Contains(cluster.DBClusterIdentifier!, StringComparer.Ordinal) == true)
            {
                warnings.Add($"Event subscription {subscription.CustSubscriptionId} names this cluster; it follows the identifier, so it covers the new cluster after the cutover and no longer the old one.");
            }
        }
    }

    /// <summary>Every zero-ETL integration whose source is the cluster blocks the cutover (see <see cref="ZeroEtlIntegrations"/>).</summary>
    private static async Task CheckIntegrationsAsync(RekeyRun run, DBCluster cluster, List<string> blocks, CancellationToken cancellationToken)
    {
        // Listed whole and matched by SourceArn: RDS documents no filter name for an integration's source.
        await foreach (var integration in run.Rds.DescribeIntegrationsAllAsync(new DescribeIntegrationsRequest(), cancellationToken).ConfigureAwait(false))
        {
            if (string.Equals(integration.SourceArn, cluster.DBClusterArn, StringComparison.Ordinal))
            {
                blocks.Add(ZeroEtlIntegrations.Block(integration, cluster.DBClusterIdentifier!, cluster.DBClusterArn!));
            }
        }
    }

    private static async Task<KeyMetadata?> DescribeTargetKeyAsync(RekeyRun run, KmsKeyReference keyReference, List<string> blocks, PreflightChecks checks, CancellationToken cancellationToken)
    {
        KeyMetadata? key;
        try
        {
            key = await TargetKey.DescribeAsync(run, keyReference.Value, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonServiceException exception) when (exception.ErrorCode is "AccessDeniedException" or "AccessDenied")
        {
            var identity = await run.Sts.GetCallerIdentityAsync(new GetCallerIdentityRequest(), cancellationToken).ConfigureAwait(false);
            var keyAccount = ArnPart(keyReference.Value, 4);
            blocks.Add(keyAccount is null || keyAccount == identity.Account
                ? $"--kms-key {keyReference}: this account's key policy does not let {identity.Arn} describe the key ({exception.Message}). "
                    + $"Add a key policy statement allowing {string.Join(", ", KeyUsePolicy.RdsActions)} to arn:aws:iam::{identity.Account}:root (or the run's role), or give another key."
                : $"--kms-key {keyReference}: this account may not describe the key ({exception.Message}). The key's policy in account {keyAccount} must allow account {identity.Account}.");
            return null;
        }

        if (key is null)
        {
            var keyRegion = ArnPart(keyReference.Value, 3);
            if (keyRegion is not null && !string.Equals(keyRegion, run.Region.SystemName, StringComparison.Ordinal))
            {
                blocks.Add($"--kms-key {keyReference} is in {keyRegion}, the cluster in {run.Region.SystemName}; RDS needs a key in the cluster's Region. Give a key of {run.Region.SystemName} (or a replica of a multi-Region key there).");
            }
            else if (!run.Settings.CreateKey)
            {
                blocks.Add($"--kms-key {keyReference} does not exist in {run.Region.SystemName}. Give an existing key, or add --create-key to create it under that alias.");
            }

            return null;
        }

        var problems = TargetKey.Problems(key, run.Region.SystemName, keyReference).ToList();
        blocks.AddRange(problems);
        if (problems.Count == 0)
        {
            await CheckKeyPolicyAsync(run, key, keyReference, blocks, checks.Items, cancellationToken).ConfigureAwait(false);
        }

        return key;
    }

    /// <summary>
    /// The key policy of a key in this account must let the run's principal have RDS use the key: without
    /// it the restore fails with KMSKeyNotAccessibleFault after Fence has renamed the cluster. A key in
    /// another account is proven by AWS's answer to DescribeKey only (its policy is not readable from here).
    /// </summary>
    private static async Task CheckKeyPolicyAsync(RekeyRun run, KeyMetadata key, KmsKeyReference keyReference, List<string> blocks, Checklist checks, CancellationToken cancellationToken)
    {
        var identity = await run.Sts.GetCallerIdentityAsync(new GetCallerIdentityRequest(), cancellationToken).ConfigureAwait(false);
        var what = $"the key policy of {keyReference} lets {identity.Arn} use the key through RDS";
        if (!string.Equals(key.AWSAccountId, identity.Account, StringComparison.Ordinal))
        {
            // Supplementary, as before: DescribeKey answered, and the policy of another account's key is not readable from here.
            checks.NotMeasuredBecause(
                what,
                $"the key belongs to account {key.AWSAccountId}, whose key policy this account cannot read; only DescribeKey answered.",
                $"the key policy in account {key.AWSAccountId} (aws kms get-key-policy --key-id {key.Arn} --policy-name default there): "
                + $"it must allow {string.Join(", ", KeyUsePolicy.RdsActions)} to account {identity.Account}; DressRehearsal proves it with a throw-away restore",
                essential: false);
            return;
        }

        string policy;
        try
        {
            policy = (await run.Kms.GetKeyPolicyAsync(new GetKeyPolicyRequest { KeyId = key.KeyId, PolicyName = "default" }, cancellationToken).ConfigureAwait(false)).Policy;
        }
        catch (AmazonServiceException exception) when (exception.ErrorCode is "AccessDeniedException" or "AccessDenied")
        {
            // Not measured, so not passed: the restore would find out only after the outage started.
            checks.NotMeasuredBecause(
                what,
                $"{identity.Arn} may not read the key's policy (kms:GetKeyPolicy), so Preflight cannot prove RDS may use the key for it.",
                $"the key policy in the KMS console (or aws kms get-key-policy --key-id {key.Arn} --policy-name default with a role that may read it), or allow kms:GetKeyPolicy on the key to the run's role and run Preflight again.");
            blocks.Add($"--kms-key {keyReference}: {identity.Arn} may not read the key's policy (kms:GetKeyPolicy), so Preflight cannot prove RDS may use the key for it (not measured). Allow kms:GetKeyPolicy on the key to the run's role.");
            return;
        }

        var check = KeyUsePolicy.CheckForRds(policy, identity.Account, RoleArnOf(identity.Arn), run.Region.SystemName);
        RecordKeyUse(checks, what, check, key.Arn);
        if (check.Missing.Count > 0)
        {
            var why = check.Reasons.Count > 0 ? $" {string.Join("; ", check.Reasons)}." : string.Empty;
            var fix = check.Reasons.Any(r => r.StartsWith("Deny", StringComparison.Ordinal))
                ? $"Change or remove the Deny statement so that it cannot apply to RDS's use of the key for {identity.Arn} (through kms:ViaService rds.{run.Region.SystemName}.amazonaws.com), or give another key."
                : $"Add a key policy statement allowing {string.Join(", ", KeyUsePolicy.RdsActions)} to arn:aws:iam::{identity.Account}:root (or the run's role), or give another key.";
            blocks.Add($"--kms-key {keyReference}: its key policy does not let {identity.Arn} use the key through RDS ({string.Join(", ", check.Missing)}); the restore would fail with KMSKeyNotAccessibleFault after the outage starts.{why} {fix}");
        }
    }

    /// <summary>
    /// The key policy item: passed, failed when the policy denies or lacks an action, not measured when only conditions
    /// that depend on RDS's request (which Preflight cannot know) stand between the run and an action. The block is the
    /// same either way: the cutover must not rest on it.
    /// </summary>
    private static void RecordKeyUse(Checklist checks, string what, KeyUseCheck check, string keyArn)
    {
        if (check.Missing.Count == 0)
        {
            checks.Pass(what);
        }
        else if (check.Undecided.Count == check.Missing.Count)
        {
            checks.NotMeasuredBecause(
                what,
                $"whether RDS may use the key for {string.Join(", ", check.Undecided)} rests on conditions Preflight cannot evaluate: {string.Join("; ", check.Reasons)}.",
                $"the key policy of {keyArn} with the conditions named (aws kms get-key-policy), IAM's policy simulator, or DressRehearsal, whose throw-away restore uses the key as the cutover will");
        }
        else
        {
            checks.Fail(what, $"the key policy does not let the run use the key through RDS ({string.Join(", ", check.Missing.Except(check.Undecided))}).");
        }
    }

    /// <summary>arn:aws:iam::ACCOUNT:role/NAME for an assumed-role session's ARN; null for any other caller.</summary>
    private static string? RoleArnOf(string callerArn)
    {
        var parts = callerArn.Split(':', 6);
        if (parts.Length == 6 && parts[2] == "sts" && parts[5].StartsWith("assumed-role/", StringComparison.Ordinal))
        {
            return $"arn:{parts[1]}:iam::{parts[4]}:role/{parts[5].Split('/')[1]}";
        }

        return parts.Length == 6 && parts[2] == "iam" && parts[5].StartsWith("role/", StringComparison.Ordinal) ? callerArn : null;
    }

    /// <summary>Field <paramref name="index"/> of an ARN (3 the Region, 4 the account); null for a key id or alias name.</summary>
    private static string? ArnPart(string reference, int index) =>
        reference.StartsWith("arn:", StringComparison.Ordinal) && reference.Split(':') is { Length: > 5 } parts ? parts[index] : null;

    private static async Task CompareFinishedKeyAsync(RekeyRun run, DBCluster done, List<string> blocks, CancellationToken cancellationToken)
    {
        if (run.Settings.KmsKey is not { } keyReference)
        {
            return;
        }

        var key = await TargetKey.DescribeAsync(run, keyReference.Value, cancellationToken).ConfigureAwait(false);
        if (key is null)
        {
            blocks.Add($"DB cluster {run.ClusterId} was moved by Rekey to key {done.KmsKeyId}, and --kms-key {keyReference} does not exist in {run.Region.SystemName}. "
                + $"Give --kms-key={done.KmsKeyId} to confirm the cutover is done; moving the cluster to another key is a new cutover, after Cleanup of this one.");
        }
        else if (!string.Equals(key.Arn, done.KmsKeyId, StringComparison.Ordinal))
        {
            blocks.Add($"DB cluster {run.ClusterId} was moved by Rekey to key {done.KmsKeyId}, not to --kms-key {keyReference} ({key.Arn}). "
                + $"Give --kms-key={done.KmsKeyId} to confirm the cutover is done; moving the cluster to another key is a new cutover, after Cleanup of this one.");
        }
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
        run.Log.LogInformation("Preflight of {Cluster}: a Blue/Green cutover moved it to {Key}; the old blue is {OldBlue}", run.ClusterId, done.KmsKeyId, state.OldBlue?.DBClusterIdentifier);
        return blocks.Count > 0
            ? new PreflightReport { ClusterId = run.ClusterId, Blocks = blocks, Warnings = warnings, TargetKeyArn = done.KmsKeyId }
            : new PreflightReport { ClusterId = run.ClusterId, NothingToDo = true, TargetKeyArn = done.KmsKeyId, Warnings = warnings };
    }

    private static async Task<PreflightReport> ResumeReportAsync(
        RekeyRun run, MigrationState state, Blocks blocks, List<string> warnings, CancellationToken cancellationToken)
    {
        // The run the tags name may take the lock back (see ClusterLock.AcquireAsync).
        if (state.LockHolder is { } holder && holder != run.RunId && state.RecordedRunId != run.RunId)
        {
            blocks.HeldBy = holder;
            blocks.Add($"A cutover of {run.ClusterId} by run {holder} is under way (tag {RekeyTags.Lock} on {state.Source?.DBClusterIdentifier}). Wait for it, or if it died, resume it with --run-id={holder} (in the Rekey workflow, the run-id input).");
        }

        if (state.Target is { } done && state.LockHolder is null && (state.Source is null || state.Phase is "finalized" or "verified"))
        {
            // Done only for the key asked for: a finished cluster asked to move to another key is refused, not reported done.
            await CompareFinishedKeyAsync(run, done, blocks, cancellationToken).ConfigureAwait(false);
            return blocks.Count > 0
                ? new PreflightReport { ClusterId = run.ClusterId, Blocks = blocks, Warnings = warnings, TargetKeyArn = done.KmsKeyId }
                : new PreflightReport { ClusterId = run.ClusterId, NothingToDo = true, TargetKeyArn = done.KmsKeyId, Warnings = warnings };
        }

        if (run.Settings.Strategy == CutoverStrategy.BlueGreen)
        {
            blocks.Add($"A restore-swap cutover of {run.ClusterId} is under way (phase {state.Phase ?? "fencing"}; the old cluster is {state.Source?.DBClusterIdentifier ?? "gone"}); "
                + $"a Blue/Green deployment cannot start from it. Finish it (run Cutover without --strategy, or with --strategy={CutoverStrategy.RestoreSwap.Name()}), or Rollback, before a Blue/Green cutover.");
        }

        if (run.Settings.KmsKey is { } keyReference && state.TargetKeyArn is { } recorded)
        {
            var key = await TargetKey.DescribeAsync(run, keyReference.Value, cancellationToken).ConfigureAwait(false);
            if (key is not null && !string.Equals(key.Arn, recorded, StringComparison.Ordinal))
            {
                blocks.Add(RecordedTargetKey.Refusal(run, "Preflight", state.RecordedRunId, recorded, key.Arn));
            }
        }

        warnings.Add($"A cutover of {run.ClusterId} is under way (phase {state.Phase ?? "fencing"}); the steps resume it from where it stopped.");
        run.Log.LogInformation("Preflight of {Cluster}: resuming a cutover in phase {Phase}", run.ClusterId, state.Phase ?? "fencing");
        return new PreflightReport
        {
            ClusterId = run.ClusterId,
            Blocks = blocks,
            Warnings = warnings,
            Resuming = true,
            TargetKeyArn = state.TargetKeyArn,
            Strategy = CutoverStrategy.RestoreSwap,
            StrategyReason = "a restore-swap cutover of this cluster is under way.",
        };
    }

    /// <summary>The reasons the cutover cannot start, and the run whose lock is one of them (exit code 4, not 3).</summary>
    private sealed class Blocks : List<string>
    {
        public string? HeldBy { get; set; }
    }
}
