using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Microsoft.Extensions.Logging;
using Rekey.Aws.Backup;
using Rekey.Aws.Backup.Model;
using Rekey.Runtime;
using BackupAlreadyExistsException = Rekey.Aws.Backup.AlreadyExistsException;
using KmsAlreadyExistsException = Amazon.KeyManagementService.Model.AlreadyExistsException;
using KmsNotFoundException = Amazon.KeyManagementService.Model.NotFoundException;
using KmsTag = Amazon.KeyManagementService.Model.Tag;
using Rekey.Safety;

namespace Rekey.Backup;

/// <summary>
/// Sets up the copies: in the backup account a vault on a key of that account and a vault policy that lets
/// the cluster's account copy in; in the cluster's account a vault, a plan whose rule copies to the backup
/// vault, and a selection of the cluster by ARN. Everything is found by name first and only what is missing
/// or different is written; nothing that was there before is deleted.
/// </summary>
public static class ConfigureBackup
{
    /// <summary>Vaults, the vault key in the backup account, the plan and the selection; the cluster itself is not changed, so no lock is taken, but no other run may hold it.</summary>
    public static StepRules Rules { get; } = StepRules.Of(
        "ConfigureBackup", LockRule.NotHeldByAnother, ClusterExpectation.CutoverFinished, checksTargetKey: false,
        StepRules.Kms(nameof(Amazon.KeyManagementService.IAmazonKeyManagementService.CreateKeyAsync), nameof(Amazon.KeyManagementService.IAmazonKeyManagementService.CreateAliasAsync),
            nameof(Amazon.KeyManagementService.IAmazonKeyManagementService.EnableKeyRotationAsync), nameof(Amazon.KeyManagementService.IAmazonKeyManagementService.ScheduleKeyDeletionAsync)),
        StepRules.Backup(nameof(IAmazonBackup.CreateBackupVaultAsync), nameof(IAmazonBackup.PutBackupVaultAccessPolicyAsync), nameof(IAmazonBackup.CreateBackupPlanAsync),
            nameof(IAmazonBackup.UpdateBackupPlanAsync), nameof(IAmazonBackup.CreateBackupSelectionAsync)))
        .Reading(
            StepRules.ClusterReads,
            StepRules.AwsClockRead,
            StepRules.Sts("AssumeRole"),
            StepRules.Kms("DescribeKey", "ListKeys", "ListResourceTags", "GetKeyPolicy", "GetKeyRotationStatus"),
            StepRules.Backup("DescribeBackupVault", "GetBackupVaultAccessPolicy", "GetBackupPlan", "GetBackupSelection", "ListBackupPlans", "ListBackupSelections"));

    private const string Step = "ConfigureBackup";

    /// <summary>Tag on a vault key Rekey creates, naming the alias it is for (see <see cref="FindKeyCreatedForAliasAsync"/>).</summary>
    public const string AliasTagKey = "rekey:alias";

    public static async Task RunAsync(RekeyRun run, BackupSetup setup, CancellationToken cancellationToken)
    {
        var roleArn = setup.BackupRoleArn
            ?? throw new Configuration.InvalidArgumentsException("ConfigureBackup needs the backup account's role: give --backup-role-arn=arn:aws:iam::BACKUP_ACCOUNT:role/NAME.");
        using (var session = await BackupAccountSession.OpenAsync(run, roleArn, cancellationToken).ConfigureAwait(false))
        {
            var keyArn = await VaultKeyAsync(run, session, setup, cancellationToken).ConfigureAwait(false);
            var vaultArn = await EnsureVaultAsync(run, session.Backup, setup.BackupVaultName, keyArn, $"backup account {setup.BackupAccount}", cancellationToken).ConfigureAwait(false);
            await EnsureVaultPolicyAsync(run, session.Backup, setup, cancellationToken).ConfigureAwait(false);
            run.Journal.Fact("backup-vault-arn", vaultArn);
        }

        var sourceVaultArn = await EnsureVaultAsync(run, run.Backup, setup.SourceVaultName, keyArn: null, $"the cluster's account {setup.SourceAccount}", cancellationToken).ConfigureAwait(false);
        run.Journal.Fact("source-backup-vault-arn", sourceVaultArn);
        var planId = await EnsurePlanAsync(run, setup, cancellationToken).ConfigureAwait(false);
        await EnsureSelectionAsync(run, setup, planId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The rule Rekey keeps in the plan: schedule, retention, continuous backup, and the copy to the backup vault with its own retention.</summary>
    public static BackupRuleInput Rule(BackupSetup setup) => new()
    {
        RuleName = BackupSetup.RuleName,
        TargetBackupVaultName = setup.SourceVaultName,
        ScheduleExpression = setup.Schedule,
        ScheduleExpressionTimezone = "Etc/UTC",
        StartWindowMinutes = 480,
        CompletionWindowMinutes = 10080,
        EnableContinuousBackup = setup.ContinuousBackup,
        Lifecycle = new Lifecycle { DeleteAfterDays = setup.RetentionDays },
        CopyActions =
        [
            new CopyAction { DestinationBackupVaultArn = setup.BackupVaultArn, Lifecycle = new Lifecycle { DeleteAfterDays = setup.CopyRetentionDays } },
        ],
        RecoveryPointTags = new Dictionary<string, string> { [BackupSetup.ManagedTagKey] = "true" },
    };

    /// <summary>The backup vault's key: the one given or Rekey's own under its alias, created and named when there is none yet.</summary>
    private static async Task<string> VaultKeyAsync(RekeyRun run, BackupAccountSession session, BackupSetup setup, CancellationToken cancellationToken) =>
        await ExistingVaultKeyAsync(session, setup, cancellationToken).ConfigureAwait(false)
            ?? await CreateVaultKeyAsync(run, session, setup, cancellationToken).ConfigureAwait(false);

    /// <summary>The ARN of the vault key that exists, checked to be usable (and rotating, when it is Rekey's own); null when Rekey's own does not exist yet.</summary>
    private static async Task<string?> ExistingVaultKeyAsync(BackupAccountSession session, BackupSetup setup, CancellationToken cancellationToken)
    {
        var reference = setup.VaultKey?.Value ?? BackupSetup.DefaultVaultKeyAlias;
        KeyMetadata? key;
        try
        {
            key = (await session.Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = reference }, cancellationToken).ConfigureAwait(false)).KeyMetadata;
        }
        catch (KmsNotFoundException) when (setup.VaultKey is null)
        {
            // Rekey's own vault key does not exist yet: created next.
            return null;
        }
        catch (KmsNotFoundException)
        {
            throw new InvalidOperationException(
                $"--backup-vault-key {reference} does not exist in the backup account {setup.BackupAccount} ({setup.Region}); "
                + "give a key of that account, or leave it out to let Rekey create one.");
        }

        if (key is null)
        {
            return null;
        }

        if (key.KeyManager != KeyManagerType.CUSTOMER || key.KeyState != KeyState.Enabled || key.KeySpec != KeySpec.SYMMETRIC_DEFAULT)
        {
            throw new InvalidOperationException(
                $"The backup vault key {reference} ({key.Arn}) is {key.KeyManager} managed, {key.KeyState}, {key.KeySpec}; "
                + "the backup vault needs an enabled symmetric customer managed key of the backup account.");
        }

        if (setup.VaultKey is null)
        {
            await EnsureRotationAsync(session, key, cancellationToken).ConfigureAwait(false);
        }

        return key.Arn;
    }

    /// <summary>Rekey's own vault key, created (or found where an earlier attempt left it unnamed), named under its alias, rotation on.</summary>
    private static async Task<string> CreateVaultKeyAsync(RekeyRun run, BackupAccountSession session, BackupSetup setup, CancellationToken cancellationToken)
    {
        // A key an earlier attempt created but did not get to name is named now rather than made twice.
        var unnamed = await FindKeyCreatedForAliasAsync(session, cancellationToken).ConfigureAwait(false);
        if (unnamed is null)
        {
            // No policy in the request: KMS gives the key its default policy, which lets the backup account administer and use it.
            unnamed = (await session.Kms.CreateKeyAsync(
                new CreateKeyRequest
                {
                    Description = $"Rekey: backup vault key for copies from account {setup.SourceAccount}",
                    KeySpec = KeySpec.SYMMETRIC_DEFAULT,
                    KeyUsage = KeyUsageType.ENCRYPT_DECRYPT,
                    Tags =
                    [
                        new KmsTag { TagKey = BackupSetup.ManagedTagKey, TagValue = "true" },
                        new KmsTag { TagKey = AliasTagKey, TagValue = BackupSetup.DefaultVaultKeyAlias },
                        new KmsTag { TagKey = "rekey:run-id", TagValue = run.RunId },
                    ],
                },
                cancellationToken).ConfigureAwait(false)).KeyMetadata;
            run.Journal.Add(Step, $"Created key {unnamed.Arn} in the backup account for {BackupSetup.DefaultVaultKeyAlias}.");
        }

        try
        {
            await session.Kms.CreateAliasAsync(new CreateAliasRequest { AliasName = BackupSetup.DefaultVaultKeyAlias, TargetKeyId = unnamed.KeyId }, cancellationToken).ConfigureAwait(false);
        }
        catch (KmsAlreadyExistsException)
        {
            // Another run made the alias meanwhile: use its key and retire ours, so no orphan key remains.
            await session.Kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = unnamed.KeyId, PendingWindowInDays = 7 }, cancellationToken).ConfigureAwait(false);
            return (await session.Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = BackupSetup.DefaultVaultKeyAlias }, cancellationToken).ConfigureAwait(false)).KeyMetadata.Arn;
        }

        await EnsureRotationAsync(session, unnamed, cancellationToken).ConfigureAwait(false);
        run.Journal.Add(Step, $"Named key {unnamed.Arn} {BackupSetup.DefaultVaultKeyAlias} in the backup account, rotation on.");
        return unnamed.Arn;
    }

    private static async Task EnsureRotationAsync(BackupAccountSession session, KeyMetadata key, CancellationToken cancellationToken)
    {
        var rotation = await session.Kms.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = key.KeyId }, cancellationToken).ConfigureAwait(false);
        if (rotation.KeyRotationEnabled != true)
        {
            await session.Kms.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = key.KeyId }, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>An enabled key of the backup account tagged for Rekey's vault alias but not yet named; null when there is none.</summary>
    private static async Task<KeyMetadata?> FindKeyCreatedForAliasAsync(BackupAccountSession session, CancellationToken cancellationToken)
    {
        var request = new ListKeysRequest();
        do
        {
            var page = await session.Kms.ListKeysAsync(request, cancellationToken).ConfigureAwait(false);
            foreach (var entry in page.Keys ?? [])
            {
                ListResourceTagsResponse tags;
                try
                {
                    tags = await session.Kms.ListResourceTagsAsync(new ListResourceTagsRequest { KeyId = entry.KeyId }, cancellationToken).ConfigureAwait(false);
                }
                catch (Amazon.Runtime.AmazonServiceException)
                {
                    // Keys the role may not read (AWS managed ones, foreign policies) cannot be Rekey's.
                    continue;
                }

                if (tags.Tags?.Any(t => t.TagKey == AliasTagKey && t.TagValue == BackupSetup.DefaultVaultKeyAlias) != true)
                {
                    continue;
                }

                var key = (await session.Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = entry.KeyId }, cancellationToken).ConfigureAwait(false)).KeyMetadata;
                if (key.KeyState == KeyState.Enabled)
                {
                    return key;
                }
            }

            request.Marker = page.NextMarker;
        }
        while (!string.IsNullOrEmpty(request.Marker));

        return null;
    }

    private static async Task<string> EnsureVaultAsync(RekeyRun run, IAmazonBackup backup, string name, string? keyArn, string where, CancellationToken cancellationToken)
    {
        var existing = await BackupPreflight.DescribeVaultAsync(backup, name, cancellationToken).ConfigureAwait(false);
        if (existing is not null)
        {
            if (keyArn is not null && !string.Equals(existing.EncryptionKeyArn, keyArn, StringComparison.Ordinal))
            {
                run.Journal.Add(Step, $"Backup vault {name} in {where} exists with key {existing.EncryptionKeyArn}, not {keyArn}; a vault's key cannot change, "
                    + "so it is kept.", Reporting.JournalLevel.Warning);
            }

            return existing.BackupVaultArn!;
        }

        try
        {
            var created = await backup.CreateBackupVaultAsync(
                new CreateBackupVaultRequest
                {
                    BackupVaultName = name,
                    EncryptionKeyArn = keyArn,
                    BackupVaultTags = new Dictionary<string, string> { [BackupSetup.ManagedTagKey] = "true" },
                },
                cancellationToken).ConfigureAwait(false);
            run.Log.LogInformation("Created backup vault {Vault} in {Where}", created.BackupVaultArn, where);
            run.Journal.Add(Step, $"Created backup vault {created.BackupVaultArn} in {where}.");
            return created.BackupVaultArn!;
        }
        catch (BackupAlreadyExistsException)
        {
            // Created by a concurrent run between the look and the create.
            return (await backup.DescribeBackupVaultAsync(new DescribeBackupVaultRequest { BackupVaultName = name }, cancellationToken).ConfigureAwait(false)).BackupVaultArn!;
        }
    }

    private static async Task EnsureVaultPolicyAsync(RekeyRun run, IAmazonBackup backup, BackupSetup setup, CancellationToken cancellationToken)
    {
        var current = await BackupPreflight.GetVaultPolicyAsync(backup, setup.BackupVaultName, cancellationToken).ConfigureAwait(false);
        var merged = VaultPolicies.Merge(current, setup.Partition, setup.SourceAccount);
        if (merged is null)
        {
            run.Log.LogInformation("The access policy of {Vault} already lets {Account} copy in", setup.BackupVaultName, setup.SourceAccount);
            return;
        }

        await backup.PutBackupVaultAccessPolicyAsync(new PutBackupVaultAccessPolicyRequest { BackupVaultName = setup.BackupVaultName, Policy = merged }, cancellationToken).ConfigureAwait(false);
        run.Journal.Add(Step, $"Vault {setup.BackupVaultName}'s access policy now lets account {setup.SourceAccount} copy in (statement {VaultPolicies.SidFor(setup.SourceAccount)}); "
            + "other statements kept.");
    }

    /// <summary>The backup plan of that name, created, or with Rekey's rule brought to what is configured.</summary>
    private static async Task<string> EnsurePlanAsync(RekeyRun run, BackupSetup setup, CancellationToken cancellationToken)
    {
        var plans = new List<BackupPlansListMember>();
        await foreach (var plan in run.Backup.ListBackupPlansAllAsync(new ListBackupPlansRequest(), cancellationToken).ConfigureAwait(false))
        {
            if (string.Equals(plan.BackupPlanName, setup.PlanName, StringComparison.Ordinal))
            {
                plans.Add(plan);
            }
        }

        if (plans.Count > 1)
        {
            throw new InvalidOperationException(
                $"{plans.Count} backup plans are named {setup.PlanName} ({string.Join(", ", plans.Select(p => p.BackupPlanId))}); "
                + "Rekey cannot tell which one to keep. Delete the extra ones and run again.");
        }

        var planId = plans.Count == 0
            ? await CreatePlanAsync(run, setup, cancellationToken).ConfigureAwait(false)
            : await UpdatePlanRuleAsync(run, setup, plans[0].BackupPlanId!, cancellationToken).ConfigureAwait(false);
        run.Journal.Fact("backup-plan-id", planId);
        return planId;
    }

    private static async Task<string> CreatePlanAsync(RekeyRun run, BackupSetup setup, CancellationToken cancellationToken)
    {
        var created = await run.Backup.CreateBackupPlanAsync(
            new CreateBackupPlanRequest
            {
                BackupPlan = new BackupPlanInput { BackupPlanName = setup.PlanName, Rules = [Rule(setup)] },
                BackupPlanTags = new Dictionary<string, string> { [BackupSetup.ManagedTagKey] = "true" },
            },
            cancellationToken).ConfigureAwait(false);
        run.Journal.Add(Step, $"Created backup plan {setup.PlanName} ({created.BackupPlanId}) copying to {setup.BackupVaultArn}.");
        return created.BackupPlanId!;
    }

    /// <summary>Rekey's rule of an existing plan replaced or added when it differs; the plan's other rules and settings are carried as they are.</summary>
    private static async Task<string> UpdatePlanRuleAsync(RekeyRun run, BackupSetup setup, string planId, CancellationToken cancellationToken)
    {
        var rule = Rule(setup);
        var current = await run.Backup.GetBackupPlanAsync(new GetBackupPlanRequest { BackupPlanId = planId }, cancellationToken).ConfigureAwait(false);
        var rules = current.BackupPlan?.Rules ?? [];
        var ours = rules.FirstOrDefault(r => r.RuleName == BackupSetup.RuleName);
        if (ours is not null && Same(ours, rule))
        {
            run.Log.LogInformation("Backup plan {Plan} ({Id}) is as configured", setup.PlanName, planId);
            return planId;
        }

        var updatedRules = rules.Where(r => r.RuleName != BackupSetup.RuleName).Select(AsInput).Append(rule).ToList();
        await run.Backup.UpdateBackupPlanAsync(
            new UpdateBackupPlanRequest
            {
                BackupPlanId = planId,
                BackupPlan = new BackupPlanInput
                {
                    BackupPlanName = setup.PlanName,
                    Rules = updatedRules,
                    AdvancedBackupSettings = current.BackupPlan?.AdvancedBackupSettings,
                    ScanSettings = current.BackupPlan?.ScanSettings,
                },
            },
            cancellationToken).ConfigureAwait(false);
        run.Journal.Add(Step, $"Updated rule {BackupSetup.RuleName} of backup plan {setup.PlanName} ({planId}); {updatedRules.Count - 1} other rule(s) kept.");
        return planId;
    }

    private static async Task EnsureSelectionAsync(RekeyRun run, BackupSetup setup, string planId, CancellationToken cancellationToken)
    {
        await foreach (var listed in run.Backup.ListBackupSelectionsAllAsync(new ListBackupSelectionsRequest { BackupPlanId = planId }, cancellationToken).ConfigureAwait(false))
        {
            if (!string.Equals(listed.SelectionName, setup.SelectionName, StringComparison.Ordinal))
            {
                continue;
            }

            var existing = await run.Backup.GetBackupSelectionAsync(new GetBackupSelectionRequest { BackupPlanId = planId, SelectionId = listed.SelectionId }, cancellationToken).ConfigureAwait(false);
            if (existing.BackupSelection?.Resources?.Contains(setup.ClusterArn, StringComparer.Ordinal) != true)
            {
                // AWS Backup has no call to change a selection; replacing it means deleting it, which Rekey leaves to the operator.
                throw new InvalidOperationException(
                    $"Backup selection {setup.SelectionName} ({listed.SelectionId}) of plan {setup.PlanName} does not select {setup.ClusterArn}, and AWS Backup cannot change a selection. "
                    + $"Delete it (aws backup delete-backup-selection --backup-plan-id {planId} --selection-id {listed.SelectionId}) and run ConfigureBackup again.");
            }

            if (!string.Equals(existing.BackupSelection.IamRoleArn, setup.ServiceRoleArn, StringComparison.Ordinal))
            {
                run.Journal.Add(Step, $"Backup selection {setup.SelectionName} uses role {existing.BackupSelection.IamRoleArn}, not {setup.ServiceRoleArn}; "
                    + "it is kept.", Reporting.JournalLevel.Warning);
            }

            run.Journal.Fact("backup-selection-id", listed.SelectionId!);
            return;
        }

        var created = await run.Backup.CreateBackupSelectionAsync(
            new CreateBackupSelectionRequest
            {
                BackupPlanId = planId,
                BackupSelection = new BackupSelection { SelectionName = setup.SelectionName, IamRoleArn = setup.ServiceRoleArn, Resources = [setup.ClusterArn] },
            },
            cancellationToken).ConfigureAwait(false);
        run.Journal.Add(Step, $"Selected {setup.ClusterArn} in backup plan {setup.PlanName} (selection {created.SelectionId}).");
        run.Journal.Fact("backup-selection-id", created.SelectionId!);
    }

    private static bool Same(BackupRule current, BackupRuleInput wanted) =>
        current.TargetBackupVaultName == wanted.TargetBackupVaultName
        && current.ScheduleExpression == wanted.ScheduleExpression
        && (current.EnableContinuousBackup ?? false) == (wanted.EnableContinuousBackup ?? false)
        && current.Lifecycle?.DeleteAfterDays == wanted.Lifecycle?.DeleteAfterDays
        && current.Lifecycle?.MoveToColdStorageAfterDays == wanted.Lifecycle?.MoveToColdStorageAfterDays
        && (current.CopyActions?.Count ?? 0) == 1
        && current.CopyActions![0].DestinationBackupVaultArn == wanted.CopyActions![0].DestinationBackupVaultArn
        && current.CopyActions[0].Lifecycle?.DeleteAfterDays == wanted.CopyActions[0].Lifecycle?.DeleteAfterDays;

    private static BackupRuleInput AsInput(BackupRule rule) => new()
    {
        RuleName = rule.RuleName,
        TargetBackupVaultName = rule.TargetBackupVaultName,
        TargetLogicallyAirGappedBackupVaultArn = rule.TargetLogicallyAirGappedBackupVaultArn,
        ScheduleExpression = rule.ScheduleExpression,
        StartWindowMinutes = rule.StartWindowMinutes,
        CompletionWindowMinutes = rule.CompletionWindowMinutes,
        Lifecycle = rule.Lifecycle,
        RecoveryPointTags = rule.RecoveryPointTags,
        CopyActions = rule.CopyActions,
        EnableContinuousBackup = rule.EnableContinuousBackup,
        ScheduleExpressionTimezone = rule.ScheduleExpressionTimezone,
        IndexActions = rule.IndexActions,
        ScanActions = rule.ScanActions,
    };
}
