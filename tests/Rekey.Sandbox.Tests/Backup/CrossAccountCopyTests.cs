using System.Text.Json.Nodes;
using Rekey.Sandbox.Tests.KeyManagementService;
using static Rekey.Sandbox.Tests.Backup.BackupTestData;

namespace Rekey.Sandbox.Tests.Backup;

/// <summary>
/// Recovery points of three clusters in the source account, with cross-account backup on: one on
/// a customer key shared with the backup account, one on a customer key that is not shared, one
/// on aws/rds, one on an AWS owned key (sse-rds). Each test copies one of them into a vault of another account.
/// </summary>
public sealed class CrossAccountCopyFixture : BackupFixture, IAsyncLifetime
{
    public string SharedKeyArn { get; private set; } = string.Empty;

    public string SharedKeyPoint { get; private set; } = string.Empty;

    public string PrivateKeyArn { get; private set; } = string.Empty;

    public string PrivateKeyPoint { get; private set; } = string.Empty;

    public string ManagedKeyPoint { get; private set; } = string.Empty;

    public string OwnedKeyPoint { get; private set; } = string.Empty;

    public new async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await EnableCrossAccountBackupAsync(this);
        SharedKeyArn = (await Aws.CreateKeyAsync("--policy", KmsTestData.PolicyWith(SourceAccount, KmsTestData.CopyStatementFor($"arn:aws:iam::{BackupAccount}:root"))))["Arn"].Text();
        PrivateKeyArn = (await Aws.CreateKeyAsync())["Arn"].Text();
        var shared = await BackupTestData.AvailableClusterAsync(this, "copy-shared-key", SharedKeyArn);
        var notShared = await BackupTestData.AvailableClusterAsync(this, "copy-private-key", PrivateKeyArn);
        var managed = await BackupTestData.AvailableClusterAsync(this, "copy-aws-rds", keyArn: null);
        SharedKeyPoint = (await CompletedBackupAsync(this, shared))["RecoveryPointArn"].Text();
        PrivateKeyPoint = (await CompletedBackupAsync(this, notShared))["RecoveryPointArn"].Text();
        ManagedKeyPoint = (await CompletedBackupAsync(this, managed))["RecoveryPointArn"].Text();

        // Created without a key after 2026-02-18 (the sandbox clock is today's): sse-rds, an AWS owned key.
        var owned = (await Aws.CreateClusterAsync("copy-aws-owned"))["DBCluster"]!["DBClusterArn"].Text();
        Advance(TimeSpan.FromMinutes(6));
        OwnedKeyPoint = (await CompletedBackupAsync(this, owned))["RecoveryPointArn"].Text();
    }
}

public sealed class CrossAccountCopyTests(CrossAccountCopyFixture fixture) : IClassFixture<CrossAccountCopyFixture>
{
    [Fact]
    public async Task A_copy_into_a_vault_that_admits_the_source_account_completes_and_lists_in_the_backup_account()
    {
        var vaultArn = await VaultAsync(fixture, BackupAccount, "copy-ok", VaultPolicyFor(AccountPrincipal(SourceAccount)));
        var vaultKey = (await fixture.Aws.As(BackupAccount).JsonAsync("backup", "describe-backup-vault", "--backup-vault-name", "copy-ok"))["EncryptionKeyArn"].Text();

        var job = await CopyAsync(fixture, fixture.SharedKeyPoint, vaultArn);
        var listed = await RecoveryPointsAsync(fixture.Aws.As(BackupAccount), "copy-ok");
        var jobs = await fixture.Aws.JsonAsync("backup", "list-copy-jobs", "--by-destination-vault-arn", vaultArn);

        Assert.Equal("COMPLETED", job["State"].Text());
        Assert.Null(job["StatusMessage"]);
        var copy = Assert.Single(listed)!;
        Assert.Equal(job["DestinationRecoveryPointArn"].Text(), copy["RecoveryPointArn"].Text());
        Assert.StartsWith($"arn:aws:rds:us-east-1:{BackupAccount}:cluster-snapshot:", copy["RecoveryPointArn"].Text(), StringComparison.Ordinal);
        Assert.Equal("COMPLETED", copy["Status"].Text());
        Assert.Equal(VaultArn(SourceAccount, "Default"), copy["SourceBackupVaultArn"].Text());
        Assert.Equal(vaultKey, copy["EncryptionKeyArn"].Text());
        Assert.Equal($"arn:aws:rds:us-east-1:{SourceAccount}:cluster:copy-shared-key", copy["ResourceArn"].Text());
        Assert.Equal(job["CopyJobId"].Text(), Assert.Single(jobs["CopyJobs"]!.AsArray())!["CopyJobId"].Text());
    }

    [Fact]
    public async Task A_vault_policy_that_admits_the_organization_by_aws_PrincipalOrgID_lets_the_copy_in()
    {
        var condition = new JsonObject { ["StringEquals"] = new JsonObject { ["aws:PrincipalOrgID"] = fixture.Sandbox.Organizations.Of(SourceAccount)!.Id } };
        var vaultArn = await VaultAsync(fixture, BackupAccount, "copy-org", VaultPolicyFor(JsonValue.Create("*"), condition));

        var job = await CopyAsync(fixture, fixture.SharedKeyPoint, vaultArn);

        Assert.Equal("COMPLETED", job["State"].Text());
        Assert.Single(await RecoveryPointsAsync(fixture.Aws.As(BackupAccount), "copy-org"));
    }

    [Fact]
    public async Task A_recovery_point_on_the_AWS_managed_key_fails_to_copy_to_another_account()
    {
        var vaultArn = await VaultAsync(fixture, BackupAccount, "copy-managed", VaultPolicyFor(AccountPrincipal(SourceAccount)));

        var managedKey = (await fixture.Aws.DescribeKeyAsync("alias/aws/rds"))["Arn"].Text();

        var job = await CopyAsync(fixture, fixture.ManagedKeyPoint, vaultArn);

        Assert.Equal("FAILED", job["State"].Text());
        Assert.Equal($"The source snapshot KMS key [{managedKey}] does not exist, is not enabled or you do not have permissions to access it.", job["StatusMessage"].Text());
        Assert.Null(job["DestinationRecoveryPointArn"]);
        Assert.Empty(await RecoveryPointsAsync(fixture.Aws.As(BackupAccount), "copy-managed"));
    }

    [Fact]
    public async Task A_recovery_point_on_an_AWS_owned_key_is_encrypted_names_no_key_and_fails_to_copy_to_another_account()
    {
        var vaultArn = await VaultAsync(fixture, BackupAccount, "copy-owned", VaultPolicyFor(AccountPrincipal(SourceAccount)));
        var point = (await RecoveryPointsAsync(fixture.Aws, "Default")).First(p => p!["RecoveryPointArn"].Text() == fixture.OwnedKeyPoint)!;

        var job = await CopyAsync(fixture, fixture.OwnedKeyPoint, vaultArn);

        Assert.True(point["IsEncrypted"]!.GetValue<bool>());
        Assert.Equal("AWS_OWNED_KMS_KEY", point["EncryptionKeyType"].Text());
        Assert.Null(point["EncryptionKeyArn"]);
        Assert.Equal("FAILED", job["State"].Text());
        Assert.Contains("AWS owned key", job["StatusMessage"].Text(), StringComparison.Ordinal);
        Assert.Null(job["DestinationRecoveryPointArn"]);
        Assert.Empty(await RecoveryPointsAsync(fixture.Aws.As(BackupAccount), "copy-owned"));
    }

    [Fact]
    public async Task A_source_key_whose_policy_does_not_name_the_backup_account_fails_the_copy()
    {
        var vaultArn = await VaultAsync(fixture, BackupAccount, "copy-private", VaultPolicyFor(AccountPrincipal(SourceAccount)));

        var job = await CopyAsync(fixture, fixture.PrivateKeyPoint, vaultArn);

        Assert.Equal("FAILED", job["State"].Text());
        Assert.Equal($"The source snapshot KMS key [{fixture.PrivateKeyArn}] does not exist, is not enabled or you do not have permissions to access it.", job["StatusMessage"].Text());
        Assert.Empty(await RecoveryPointsAsync(fixture.Aws.As(BackupAccount), "copy-private"));
    }

    [Fact]
    public async Task A_vault_policy_that_does_not_admit_the_source_account_or_no_policy_at_all_fails_the_copy_with_access_denied()
    {
        var otherAccountOnly = await VaultAsync(fixture, BackupAccount, "copy-wrong-policy", VaultPolicyFor(AccountPrincipal(ManagementAccount)));
        var noPolicy = await VaultAsync(fixture, BackupAccount, "copy-no-policy", policy: null);

        var wrongPolicy = await CopyAsync(fixture, fixture.SharedKeyPoint, otherAccountOnly);
        var withoutPolicy = await CopyAsync(fixture, fixture.SharedKeyPoint, noPolicy);

        Assert.All([wrongPolicy, withoutPolicy], job =>
        {
            Assert.Equal("FAILED", job["State"].Text());
            Assert.Equal("Access Denied trying to call AWS Backup service", job["StatusMessage"].Text());
        });
        Assert.Empty(await RecoveryPointsAsync(fixture.Aws.As(BackupAccount), "copy-wrong-policy"));
    }

    [Fact]
    public async Task A_copy_to_an_account_outside_the_organization_fails_whatever_its_vault_policy_says()
    {
        var vaultArn = await VaultAsync(fixture, OutsideAccount, "copy-outside", VaultPolicyFor(AccountPrincipal(SourceAccount)));

        var job = await CopyAsync(fixture, fixture.SharedKeyPoint, vaultArn);

        Assert.Equal("FAILED", job["State"].Text());
        Assert.Equal("Access denied: Copy job failed. Both source and destination account must be a member of the same organization", job["StatusMessage"].Text());
        Assert.Empty(await RecoveryPointsAsync(fixture.Aws.As(OutsideAccount), "copy-outside"));
    }
}

public sealed class CrossAccountBackupOffTests(BackupFixture fixture) : IClassFixture<BackupFixture>
{
    [Fact]
    public async Task With_cross_account_backup_off_a_copy_fails_and_after_the_management_account_turns_it_on_the_same_copy_completes()
    {
        var key = (await fixture.Aws.CreateKeyAsync("--policy", KmsTestData.PolicyWith(SourceAccount, KmsTestData.CopyStatementFor(BackupAccount))))["Arn"].Text();
        var cluster = await AvailableClusterAsync(fixture, "copy-setting-off", key);
        var point = (await CompletedBackupAsync(fixture, cluster))["RecoveryPointArn"].Text();
        var vaultArn = await VaultAsync(fixture, BackupAccount, "copy-setting", VaultPolicyFor(AccountPrincipal(SourceAccount)));

        var whileOff = await CopyAsync(fixture, point, vaultArn);
        await EnableCrossAccountBackupAsync(fixture);
        var whenOn = await CopyAsync(fixture, point, vaultArn);

        Assert.Equal("FAILED", whileOff["State"].Text());
        Assert.Contains("isCrossAccountBackupEnabled", whileOff["StatusMessage"].Text(), StringComparison.Ordinal);
        Assert.Contains(ManagementAccount, whileOff["StatusMessage"].Text(), StringComparison.Ordinal);
        Assert.Equal("COMPLETED", whenOn["State"].Text());
        Assert.Single(await RecoveryPointsAsync(fixture.Aws.As(BackupAccount), "copy-setting"));
    }
}
