using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Rekey.Aws.Backup.Model;
using Rekey.Aws.RDS.Model;
using Rekey.EndToEnd.Tests.Support;
using Rekey.SandboxRehearsal;

namespace Rekey.EndToEnd.Tests;

/// <summary>
/// For every kind of source whose backups cannot leave the account: BackupPreflight before the migration says why a
/// copy into the backup account would fail (or, unencrypted, that it would copy without a key) and what makes it work,
/// changing nothing; after Cutover, Backup copies a recovery point taken on the customer managed key into the backup account.
/// </summary>
public sealed class BackupAfterMigrationTests
{
    internal const string BackupAccount = "222222222222";
    private const string ManagementAccount = "999999999999";
    internal const string Vault = "ledger-copies";
    private const string BackupRoleArn = $"arn:aws:iam::{BackupAccount}:role/rekey-backup";
    internal const string ClusterArn = $"arn:aws:rds:{LedgerCluster.Region}:{LedgerCluster.Account}:cluster:{LedgerCluster.Id}";

    internal static readonly string[] BackupArguments =
        [$"--backup-account={BackupAccount}", $"--backup-role-arn={BackupRoleArn}", $"--backup-vault={Vault}"];

    [Theory]
    [ChaosSeeds]
    public async Task A_cluster_on_aws_rds_is_refused_by_BackupPreflight_without_a_change_and_after_Cutover_its_recovery_point_on_the_customer_key_is_copied_to_the_backup_account(long chaosSeed) =>
        await PreflightMigrateAndBackUpAsync(chaosSeed, LedgerEncryption.AwsManaged, "e2e-backup-managed", "is encrypted with the AWS managed key aws/rds", "AWS managed keys cannot be shared with another account");

    [Theory]
    [ChaosSeeds]
    public async Task A_cluster_on_an_AWS_owned_key_is_refused_by_BackupPreflight_without_a_change_and_after_Cutover_auto_its_recovery_point_on_the_customer_key_is_copied_to_the_backup_account(long chaosSeed) =>
        await PreflightMigrateAndBackUpAsync(chaosSeed, LedgerEncryption.AwsOwned, "e2e-backup-owned", "is encrypted with an AWS owned key (StorageEncryptionType sse-rds", "no key policy can let the backup account use it");

    [Theory]
    [ChaosSeeds]
    public async Task An_unencrypted_cluster_is_refused_by_BackupPreflight_as_it_would_copy_unencrypted_and_after_Cutover_auto_its_recovery_point_on_the_customer_key_is_copied_to_the_backup_account(long chaosSeed) =>
        await PreflightMigrateAndBackUpAsync(chaosSeed, LedgerEncryption.Unencrypted, "e2e-backup-plain", "is not encrypted (StorageEncryptionType none)", "could copy its recovery points to the backup account, but unencrypted at the source");

    [Theory]
    [ChaosSeeds]
    public async Task A_cluster_on_a_customer_key_the_backup_account_may_not_use_is_refused_by_BackupPreflight_without_a_change_and_after_Cutover_to_another_key_its_copy_reaches_the_backup_account(long chaosSeed) =>
        await PreflightMigrateAndBackUpAsync(chaosSeed, LedgerEncryption.CustomerKey, "e2e-backup-cmk", "does not let the backup account 222222222222 use it", "Add this statement to the key policy");

    private static async Task PreflightMigrateAndBackUpAsync(long chaosSeed, LedgerEncryption source, string runId, string why, string detail)
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed, encryption: source);
        await SeedBackupAccountAsync(sandbox);
        var before = await ClusterAsync(sandbox);

        // Before the migration: why a copy would fail, and the Cutover that makes it work; nothing changed.
        var preflight = await sandbox.RunAsync(sandbox.Arguments("BackupPreflight", runId + "-preflight", BackupArguments));
        var said = string.Join(' ', preflight.Output.Split('\n').Select(l => l.Trim()));

        Assert.True(preflight.ExitCode == Runtime.ExitCodes.RefusedByPreflight, preflight.ToString());
        Assert.Contains(why, said, StringComparison.Ordinal);
        Assert.Contains(detail, said, StringComparison.Ordinal);
        if (source != LedgerEncryption.CustomerKey)
        {
            Assert.Contains($"--target=Cutover --cluster={LedgerCluster.Id} --kms-key=alias/NAME", said, StringComparison.Ordinal);
        }

        // AssumeRole into the backup account issues credentials and creates nothing.
        Assert.DoesNotContain(preflight.MutatingCalls, c => c.Service != "sts");

        // The migration, onto a key whose policy PrepareKey writes for the backup account.
        var cutover = await MigrateAsync(sandbox, source, runId);
        Assert.True(cutover.ExitCode == 0, cutover.ToString());
        var after = await ClusterAsync(sandbox);
        var cmk = await KeyArnAsync(sandbox, LedgerCluster.KeyAlias);
        Assert.Equal(("sse-kms", cmk), (after.StorageEncryptionType, after.KmsKeyId));
        Assert.Equal(before.Endpoint, after.Endpoint);

        var backup = await sandbox.RunAsync(sandbox.Arguments("Backup", runId + "-backup", [$"--confirm={LedgerCluster.Id}", .. BackupArguments]));
        Assert.True(backup.ExitCode == 0, backup.ToString());

        // The recovery point in the cluster's account is on the customer managed key, and its copy is in the backup account.
        using var local = sandbox.Aws.CreateBackup(EndToEndSandbox.Region);
        var points = (await local.ListRecoveryPointsByBackupVaultAsync(new ListRecoveryPointsByBackupVaultRequest { BackupVaultName = Vault })).RecoveryPoints ?? [];
        var point = Assert.Single(points, p => p.ResourceArn == ClusterArn);
        Assert.Equal(("COMPLETED", true, cmk), (point.Status, point.IsEncrypted, point.EncryptionKeyArn));

        using var remote = sandbox.Aws.WithCredentials(new BasicAWSCredentials(BackupAccount, "end-to-end")).CreateBackup(EndToEndSandbox.Region);
        var copies = (await remote.ListRecoveryPointsByBackupVaultAsync(new ListRecoveryPointsByBackupVaultRequest { BackupVaultName = Vault })).RecoveryPoints ?? [];
        var copy = Assert.Single(copies);
        Assert.Equal((ClusterArn, "COMPLETED", point.BackupVaultArn), (copy.ResourceArn, copy.Status, copy.SourceBackupVaultArn));
        Assert.StartsWith($"arn:aws:kms:{LedgerCluster.Region}:{BackupAccount}:key/", copy.EncryptionKeyArn, StringComparison.Ordinal);
        Assert.Contains(copy.RecoveryPointArn!, backup.Output.Replace("\n", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }

    /// <summary>Cutover with auto; an unencrypted source needs logical replication first, as auto's refusal says, then Blue/Green.</summary>
    private static async Task<HostResult> MigrateAsync(EndToEndSandbox sandbox, LedgerEncryption source, string runId)
    {
        if (source != LedgerEncryption.Unencrypted)
        {
            return await sandbox.CutoverAsync(runId, null, $"--backup-account={BackupAccount}");
        }

        await BlueGreenCutoverTests.PrepareAsync(sandbox);
        var cutover = await sandbox.CutoverAsync(runId, null, $"--backup-account={BackupAccount}", "--sequences-advanced");
        return cutover.ExitCode == Runtime.ExitCodes.VerificationFailed
            ? await BlueGreenCutoverTests.VerifyAsync(sandbox, runId, null, "--sequences-advanced")
            : cutover;
    }

    /// <summary>
    /// The organization's backup set-up as an operator makes it once: AWS Backup's service role in the cluster's account,
    /// a role in the backup account that the cluster account may assume, cross-account backup turned on by the management account.
    /// </summary>
    internal static async Task SeedBackupAccountAsync(EndToEndSandbox sandbox)
    {
        await SampleAccount.SeedBackupServiceRoleAsync(sandbox.Api, CancellationToken.None);
        await sandbox.Api.CreateRoleAsync(
            BackupRoleArn,
            $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{LedgerCluster.Account}}:root"},"Action":"sts:AssumeRole"}]}""",
            CancellationToken.None);
        using var management = sandbox.Aws.WithCredentials(new BasicAWSCredentials(ManagementAccount, "end-to-end")).CreateBackup(EndToEndSandbox.Region);
        await management.UpdateGlobalSettingsAsync(new UpdateGlobalSettingsRequest { GlobalSettings = new() { ["isCrossAccountBackupEnabled"] = "true" } });
    }

    private static async Task<DBCluster> ClusterAsync(EndToEndSandbox sandbox)
    {
        using var rds = sandbox.Aws.CreateRds(EndToEndSandbox.Region);
        return (await rds.DescribeDBClustersAsync(new DescribeDBClustersRequest { DBClusterIdentifier = LedgerCluster.Id })).DBClusters![0];
    }

    private static async Task<string> KeyArnAsync(EndToEndSandbox sandbox, string alias)
    {
        using var kms = sandbox.Aws.CreateKms(EndToEndSandbox.Region);
        return (await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = alias })).KeyMetadata.Arn;
    }
}
