using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Microsoft.Extensions.Logging;
using Rekey.Aws.Backup;
using Rekey.Aws.Backup.Model;
using Rekey.Aws.IdentityManagement;
using Rekey.Aws.IdentityManagement.Model;
using Rekey.Aws.Organizations;
using Rekey.Aws.Organizations.Model;
using Rekey.Clusters;
using Rekey.Migration;
using Rekey.Runtime;
using BackupNotFoundException = Rekey.Aws.Backup.ResourceNotFoundException;
using KmsNotFoundException = Amazon.KeyManagementService.Model.NotFoundException;

namespace Rekey.Backup;

/// <summary>
/// Checks, without changing anything, that AWS Backup can copy the cluster's recovery points into the
/// backup account: a customer managed key the backup account may use, both accounts in one organization
/// with cross-account backup on, the backup role, the AWS Backup service role. Every problem is reported at once,
/// each with what to change.
/// </summary>
public static class BackupPreflight
{
    /// <summary>What the backup account needs on the source key for a copy (AWS Backup's cross-account copy of RDS snapshots).</summary>
    public static readonly string[] CopyKeyActions = ["kms:DescribeKey", "kms:Decrypt", "kms:ReEncryptFrom", "kms:GenerateDataKey", "kms:CreateGrant"];

    /// <summary>
    /// Runs every check. With <paramref name="requireConfigured"/> (before a verification copy) the vaults
    /// and the vault policy that ConfigureBackup makes must be there too; without it their absence is only noted.
    /// </summary>
    public static async Task<BackupPreflightReport> RunAsync(RekeyRun run, bool requireConfigured, CancellationToken cancellationToken)
    {
        var blocks = new List<string>();
        var warnings = new List<string>();
        var notes = new List<string>();
        var setup = await BackupSetup.ReadAsync(run, cancellationToken).ConfigureAwait(false);

        var roleUsable = CheckSettings(setup, blocks);
        await CheckClusterKeyAsync(run, setup, blocks, cancellationToken).ConfigureAwait(false);
        await CheckServiceRoleAsync(run, setup, blocks, warnings, notes, cancellationToken).ConfigureAwait(false);
        var sourceAccount = $"The cluster's account {setup.SourceAccount}";
        var sourceOrganization = await DescribeOrganizationAsync(run.Organizations, sourceAccount, setup, blocks, warnings, cancellationToken).ConfigureAwait(false);
        if (sourceOrganization.Member)
        {
            await CheckCrossAccountBackupAsync(run.Backup, sourceAccount, sourceOrganization.Organization, setup, blocks, cancellationToken).ConfigureAwait(false);
        }

        if (roleUsable && setup.BackupRoleArn is { } roleArn)
        {
            BackupAccountSession? session = null;
            try
            {
                session = await BackupAccountSession.OpenAsync(run, roleArn, cancellationToken).ConfigureAwait(false);
            }
            catch (AmazonServiceException exception)
            {
                blocks.Add(
                    $"--backup-role-arn {roleArn} cannot be assumed ({exception.ErrorCode}: {exception.Message}). Its trust policy must let this run's role call sts:AssumeRole, "
                    + "and this run's role needs sts:AssumeRole on it (the IamPolicies target writes both).");
            }

            if (session is not null)
            {
                using (session)
                {
                    notes.Add($"Assumed {roleArn} as {session.AssumedRoleArn}.");
                    var backupOrganization = await DescribeOrganizationAsync(
                        session.Organizations, $"The backup account {setup.BackupAccount}", setup, blocks, warnings, cancellationToken).ConfigureAwait(false);
                    CheckSameOrganization(sourceOrganization.Organization, backupOrganization.Organization, setup, blocks, notes);
                    await CheckBackupVaultAsync(session, setup, requireConfigured, blocks, warnings, notes, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        if (requireConfigured && await DescribeVaultAsync(run.Backup, setup.SourceVaultName, cancellationToken).ConfigureAwait(false) is null)
        {
            blocks.Add($"Backup vault {setup.SourceVaultName} does not exist in the cluster's account {setup.SourceAccount}; run ConfigureBackup first.");
        }

        var report = new BackupPreflightReport { Setup = setup, Blocks = blocks, Warnings = warnings, Notes = notes };
        run.Log.LogInformation("Backup preflight of {Cluster}: {Blocks} blocking, {Warnings} warnings", setup.Cluster, blocks.Count, warnings.Count);
        return report;
    }

    /// <summary>Checks the arguments; true when the backup role is named and in the backup account, so it is worth assuming.</summary>
    private static bool CheckSettings(BackupSetup setup, List<string> blocks)
    {
        var roleUsable = false;
        if (setup.BackupAccount is null)
        {
            blocks.Add("No backup account: give --backup-account=ACCOUNT, the 12-digit account that receives the copies.");
        }
        else if (setup.BackupAccount == setup.SourceAccount)
        {
            blocks.Add($"--backup-account {setup.BackupAccount} is the cluster's own account; the copies must go to a separate account.");
        }

        if (setup.BackupRoleArn is null)
        {
            blocks.Add($"No backup role: give --backup-role-arn=arn:{setup.Partition}:iam::{setup.BackupAccount ?? "BACKUP_ACCOUNT"}:role/NAME, a role in the backup account this run may assume.");
        }
        else if (setup.BackupAccount is not null && BackupSetup.AccountOf(setup.BackupRoleArn) != setup.BackupAccount)
        {
            blocks.Add($"--backup-role-arn {setup.BackupRoleArn} is not in the backup account {setup.BackupAccount}; give a role of that account.");
        }
        else
        {
            roleUsable = setup.BackupAccount is not null;
        }

        if (setup.ServiceRoleNamed && BackupSetup.AccountOf(setup.ServiceRoleArn) != setup.SourceAccount)
        {
            blocks.Add($"--backup-service-role-arn {setup.ServiceRoleArn} is not in the cluster's account {setup.SourceAccount}; AWS Backup needs a role of that account.");
        }

        if (setup.ContinuousBackup && setup.RetentionDays > BackupSetup.MaxContinuousRetentionDays)
        {
            blocks.Add($"--continuous-backup keeps recovery points at most {BackupSetup.MaxContinuousRetentionDays} days, not {setup.RetentionDays}: "
                + $"give --backup-retention-days={BackupSetup.MaxContinuousRetentionDays} or less.");
        }

        return roleUsable;
    }

    /// <summary>The cluster's key must be an enabled customer managed key whose policy lets the backup account use it for copies.</summary>
    private static async Task CheckClusterKeyAsync(RekeyRun run, BackupSetup setup, List<string> blocks, CancellationToken cancellationToken)
    {
        if (await CustomerManagedClusterKeyAsync(run, setup, blocks, cancellationToken).ConfigureAwait(false) is not { } key)
        {
            return;
        }

        if (key.KeyState != KeyState.Enabled)
        {
            blocks.Add($"The key of DB cluster {setup.Cluster} ({key.Arn}) is {key.KeyState}; enable it (kms enable-key, or cancel its deletion).");
        }

        await CheckKeyPolicyLetsBackupAccountCopyAsync(run, setup, key, blocks, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The key of the cluster when it is a customer managed key; null, with the block that says how to get one, otherwise.</summary>
    private static async Task<KeyMetadata?> CustomerManagedClusterKeyAsync(RekeyRun run, BackupSetup setup, List<string> blocks, CancellationToken cancellationToken)
    {
        var cluster = await new ClusterReader(run.Rds).FindClusterAsync(setup.Cluster, cancellationToken).ConfigureAwait(false);
        if (cluster is null)
        {
            blocks.Add(
                $"DB cluster {setup.Cluster} does not exist in {setup.Region} for account {setup.SourceAccount}. "
                + "Check --cluster, --region and the credentials' account.");
            return null;
        }

        var move = $"./build.sh --target=Cutover --cluster={setup.Cluster} --kms-key=alias/NAME --create-key "
            + $"--backup-account={setup.BackupAccount ?? "ACCOUNT"} --confirm={setup.Cluster}";
        if (cluster.IsUnencrypted())
        {
            blocks.Add(
                $"DB cluster {setup.Cluster} is not encrypted (StorageEncryptionType none). AWS Backup could copy its recovery points to the backup account, "
                + "but unencrypted at the source: its storage and snapshots stay unprotected by any key. Rekey sets up the copy only for a customer managed key. "
                + "Move the cluster onto one first (a point-in-time restore cannot encrypt it; "
                + $"Cutover's auto strategy uses a Blue/Green deployment whose green is encrypted): {move}.");
            return null;
        }

        if (cluster.IsAwsOwned() || cluster.KmsKeyId is null)
        {
            blocks.Add(
                $"DB cluster {setup.Cluster} is encrypted with an AWS owned key (StorageEncryptionType sse-rds, "
                + $"Aurora's default for a cluster created without a key since {SourceEncryption.AwsOwnedDefaultSince}). "
                + "An AWS owned key belongs to AWS: no key policy can let the backup account use it, so AWS Backup's copy into the backup account would fail. "
                + $"Move the cluster to a customer managed key first: {move}.");
            return null;
        }

        KeyMetadata key;
        try
        {
            key = (await run.Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = cluster.KmsKeyId }, cancellationToken).ConfigureAwait(false)).KeyMetadata;
        }
        catch (KmsNotFoundException)
        {
            blocks.Add($"The key of DB cluster {setup.Cluster} ({cluster.KmsKeyId}) is not found in KMS; check the cluster's key.");
            return null;
        }

        if (key.KeyManager == KeyManagerType.AWS)
        {
            blocks.Add(
                $"DB cluster {setup.Cluster} is encrypted with the AWS managed key aws/rds ({key.Arn}). AWS managed keys cannot be shared with another account, "
                + $"so AWS Backup's copy into the backup account would fail. Move the cluster to a customer managed key first: {move}.");
            return null;
        }

        return key;
    }

    /// <summary>A backup account other than the cluster's own needs the key's policy to let it use the key, or the copies fail.</summary>
    private static async Task CheckKeyPolicyLetsBackupAccountCopyAsync(
        RekeyRun run, BackupSetup setup, KeyMetadata key, List<string> blocks, CancellationToken cancellationToken)
    {
        if (setup.BackupAccount is not { } backupAccount || backupAccount == setup.SourceAccount)
        {
            return;
        }

        var policy = await run.Kms.GetKeyPolicyAsync(new GetKeyPolicyRequest { KeyId = key.KeyId, PolicyName = "default" }, cancellationToken).ConfigureAwait(false);
        if (!KeyPolicies.Allows(policy.Policy, backupAccount, CopyKeyActions))
        {
            var statement = KeyPolicies.BackupAccountStatement(setup.Partition, backupAccount).ToJsonString();
            blocks.Add(
                $"The policy of key {key.Arn} does not let the backup account {backupAccount} use it ({string.Join(", ", CopyKeyActions)}), "
                + "so copies into that account would fail. "
                + $"Add this statement to the key policy: {statement} (PrepareKey with --backup-account={backupAccount} adds it to a key Rekey created).");
        }
    }

    /// <summary>
    /// The organization an account is in, asked with that account's own credentials. Member is false when AWS
    /// says the account is in none (a block); Organization is null too when the answer was refused (a warning).
    /// </summary>
    private static async Task<(bool Member, Organization? Organization)> DescribeOrganizationAsync(
        IAmazonOrganizations organizations, string who, BackupSetup setup, List<string> blocks, List<string> warnings, CancellationToken cancellationToken)
    {
        try
        {
            var organization = (await organizations.DescribeOrganizationAsync(new DescribeOrganizationRequest(), cancellationToken).ConfigureAwait(false)).Organization;
            return (true, organization);
        }
        catch (AWSOrganizationsNotInUseException exception)
        {
            blocks.Add(
                $"{who} is not a member of an AWS Organization (AWS Organizations: {exception.Message}). AWS Backup copies across accounts only when "
                + $"the cluster's account {setup.SourceAccount} and the backup account {setup.BackupAccount} are in the same organization: "
                + "the management account of the other's organization must invite it (aws organizations invite-account-to-organization), and it must accept.");
            return (false, null);
        }
        catch (AmazonServiceException exception) when (exception.ErrorCode is "AccessDeniedException" or "AccessDenied")
        {
            warnings.Add(
                $"{who} may not call organizations:DescribeOrganization ({exception.Message}), so Rekey cannot prove that both accounts share one organization. "
                + "Grant it to the role (the IamPolicies target does); the copy fails if they do not.");
            return (true, null);
        }
    }

    private static void CheckSameOrganization(Organization? source, Organization? backup, BackupSetup setup, List<string> blocks, List<string> notes)
    {
        if (source?.Id is not { } sourceId || backup?.Id is not { } backupId)
        {
            return;
        }

        if (string.Equals(sourceId, backupId, StringComparison.Ordinal))
        {
            notes.Add($"Both accounts are in organization {sourceId} (management account {source.MasterAccountId}).");
            return;
        }

        blocks.Add(
            $"The cluster's account {setup.SourceAccount} is in organization {sourceId} and the backup account {setup.BackupAccount} in organization {backupId}. "
            + $"AWS Backup copies only between accounts of one organization: move the backup account into {sourceId} "
            + $"(its management account {source.MasterAccountId} invites it after {backup.MasterAccountId} removes it), or give as --backup-account an account in organization {sourceId}.");
    }

    private static async Task CheckCrossAccountBackupAsync(
        IAmazonBackup backup, string who, Organization? organization, BackupSetup setup, List<string> blocks, CancellationToken cancellationToken)
    {
        DescribeGlobalSettingsResponse settings;
        try
        {
            settings = await backup.DescribeGlobalSettingsAsync(new DescribeGlobalSettingsRequest(), cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonServiceException exception) when (exception.ErrorCode == "ERROR_9601")
        {
            // AWS Backup's answer for an account outside any organization (the code is in no service model),
            // reached only when Organizations could not be asked.
            blocks.Add(
                $"{who} is not a member of an AWS Organization (AWS Backup: {exception.Message}). Cross-account copies need the cluster's account "
                + $"{setup.SourceAccount} and the backup account {setup.BackupAccount} in the same organization: invite it into the organization.");
            return;
        }

        var enabled = settings.GlobalSettings?.GetValueOrDefault("isCrossAccountBackupEnabled");
        if (!string.Equals(enabled, "true", StringComparison.OrdinalIgnoreCase))
        {
            var where = organization?.MasterAccountId is { } id ? $"In the management account {id} run: " : "In the management account run: ";
            blocks.Add(
                $"Cross-account backup is off for the organization{(organization?.Id is { } organizationId ? " " + organizationId : string.Empty)}, "
                + $"and only its management account can turn it on. {where}"
                + "aws backup update-global-settings --global-settings isCrossAccountBackupEnabled=true "
                + "(or AWS Backup console > Settings > Cross-account management > Cross-account backup: Turn on).");
        }
    }

    /// <summary>
    /// The role AWS Backup is handed must exist in the cluster's account: a selection or job naming a missing
    /// role is refused, and AWS creates the default role only when AWS Backup's console is first used.
    /// </summary>
    private static async Task CheckServiceRoleAsync(
        RekeyRun run, BackupSetup setup, List<string> blocks, List<string> warnings, List<string> notes, CancellationToken cancellationToken)
    {
        if (BackupSetup.AccountOf(setup.ServiceRoleArn) != setup.SourceAccount)
        {
            return;
        }

        var roleName = BackupSetup.RoleNameOf(setup.ServiceRoleArn);
        try
        {
            var role = (await run.Iam.GetRoleAsync(new GetRoleRequest { RoleName = roleName }, cancellationToken).ConfigureAwait(false)).Role;
            // IAM finds a role by name alone, whatever its path and letter case; AWS Backup is handed the ARN.
            if (role?.Arn is { } arn && !string.Equals(arn, setup.ServiceRoleArn, StringComparison.Ordinal))
            {
                blocks.Add($"The AWS Backup service role named {roleName} is {arn}, not {setup.ServiceRoleArn}: give --backup-service-role-arn={arn}.");
                return;
            }

            notes.Add($"AWS Backup service role {setup.ServiceRoleArn} exists.");
        }
        catch (NoSuchEntityException)
        {
            blocks.Add(setup.ServiceRoleNamed
                ? $"--backup-service-role-arn {setup.ServiceRoleArn} does not exist in the cluster's account {setup.SourceAccount}. "
                  + "Create it with a trust policy for backup.amazonaws.com and the AWS managed policy AWSBackupServiceRolePolicyForBackup (docs/backup.md), or name an existing role."
                : $"AWS Backup's default service role {setup.ServiceRoleArn} does not exist in the cluster's account {setup.SourceAccount}; AWS creates it only the first time "
                  + "AWS Backup's console is used there. Create it (docs/backup.md) or name another role with --backup-service-role-arn.");
        }
        catch (AmazonServiceException exception) when (exception.ErrorCode is "AccessDeniedException" or "AccessDenied")
        {
            warnings.Add(
                $"This run's role may not call iam:GetRole on {setup.ServiceRoleArn} ({exception.Message}), so the AWS Backup service role is not proven to exist. "
                + "Grant it (the IamPolicies target does); backup selections and jobs fail if the role is missing.");
        }
    }

    private static async Task CheckBackupVaultAsync(
        BackupAccountSession session, BackupSetup setup, bool requireConfigured, List<string> blocks, List<string> warnings, List<string> notes, CancellationToken cancellationToken)
    {
        var vault = await DescribeVaultAsync(session.Backup, setup.BackupVaultName, cancellationToken).ConfigureAwait(false);
        if (vault is null)
        {
            if (requireConfigured)
            {
                blocks.Add($"Backup vault {setup.BackupVaultName} does not exist in the backup account {setup.BackupAccount}; run ConfigureBackup first.");
            }
            else
            {
                notes.Add($"Backup vault {setup.BackupVaultName} does not exist yet in the backup account {setup.BackupAccount}; ConfigureBackup creates it.");
            }

            return;
        }

        if (vault.EncryptionKeyArn is { } keyArn)
        {
            try
            {
                var key = (await session.Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyArn }, cancellationToken).ConfigureAwait(false)).KeyMetadata;
                if (key.KeyManager == KeyManagerType.AWS)
                {
                    warnings.Add($"Backup vault {setup.BackupVaultName} in the backup account is encrypted with an AWS managed key ({keyArn}); a vault's key cannot change, "
                        + "so to use a customer managed key give another --backup-vault.");
                }
            }
            catch (KmsNotFoundException)
            {
                blocks.Add($"The key of backup vault {setup.BackupVaultName} ({keyArn}) is not found in the backup account; copies into the vault would fail.");
            }
        }

        var policy = await GetVaultPolicyAsync(session.Backup, setup.BackupVaultName, cancellationToken).ConfigureAwait(false);
        if (VaultPolicies.AllowsCopyFrom(policy, setup.SourceAccount))
        {
            return;
        }

        var message =
            $"The access policy of backup vault {setup.BackupVaultName} in the backup account {setup.BackupAccount} "
            + $"does not let the cluster's account {setup.SourceAccount} copy into it ({VaultPolicies.CopyAction})";
        if (requireConfigured)
        {
            blocks.Add($"{message}; run ConfigureBackup, which adds the statement {VaultPolicies.SidFor(setup.SourceAccount)} and keeps the others, or add it yourself: "
                + VaultPolicies.CopyStatement(setup.Partition, setup.SourceAccount).ToJsonString());
        }
        else
        {
            notes.Add($"{message} yet; ConfigureBackup adds the statement {VaultPolicies.SidFor(setup.SourceAccount)}.");
        }
    }

    internal static async Task<DescribeBackupVaultResponse?> DescribeVaultAsync(IAmazonBackup backup, string name, CancellationToken cancellationToken)
    {
        try
        {
            return await backup.DescribeBackupVaultAsync(new DescribeBackupVaultRequest { BackupVaultName = name }, cancellationToken).ConfigureAwait(false);
        }
        catch (BackupNotFoundException)
        {
            return null;
        }
    }

    /// <summary>The vault's access policy, or null when it has none (AWS answers ResourceNotFoundException then).</summary>
    internal static async Task<string?> GetVaultPolicyAsync(IAmazonBackup backup, string name, CancellationToken cancellationToken)
    {
        try
        {
            return (await backup.GetBackupVaultAccessPolicyAsync(new GetBackupVaultAccessPolicyRequest { BackupVaultName = name }, cancellationToken).ConfigureAwait(false)).Policy;
        }
        catch (BackupNotFoundException)
        {
            return null;
        }
    }
}

/// <summary>What BackupPreflight found: blocks stop the backup steps, warnings and notes inform.</summary>
public sealed record BackupPreflightReport
{
    public required BackupSetup Setup { get; init; }

    public IReadOnlyList<string> Blocks { get; init; } = [];

    public IReadOnlyList<string> Warnings { get; init; } = [];

    public IReadOnlyList<string> Notes { get; init; } = [];

    public bool Passed => Blocks.Count == 0;
}

/// <summary>BackupPreflight found what must change before AWS Backup can copy into the backup account; nothing was changed.</summary>
public sealed class BackupPreflightFailedException : Exception
{
    public BackupPreflightFailedException(BackupPreflightReport report)
        : base(Describe(report))
    {
        Blocks = report.Blocks;
    }

    public BackupPreflightFailedException()
    {
        Blocks = [];
    }

    public BackupPreflightFailedException(string message)
        : base(message)
    {
        Blocks = [message];
    }

    public BackupPreflightFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
        Blocks = [message];
    }

    public IReadOnlyList<string> Blocks { get; }

    private static string Describe(BackupPreflightReport report) =>
        $"Backup preflight of {report.Setup.Cluster} found {report.Blocks.Count} blocking problem{(report.Blocks.Count == 1 ? string.Empty : "s")}; nothing was changed:"
        + Environment.NewLine + string.Join(Environment.NewLine, report.Blocks.Select(b => "  - " + b));
}
