using System.Text.Json.Nodes;
using Rekey.Sandbox.Tests.KeyManagementService;

namespace Rekey.Sandbox.Tests.Backup;

/// <summary>Backup steps through the AWS CLI that the Backup tests share.</summary>
internal static class BackupTestData
{
    public const string SourceAccount = "111111111111";
    public const string BackupAccount = "222222222222";
    public const string ManagementAccount = "999999999999";
    public const string OutsideAccount = "333333333333";

    public static string Role(string account) => $"arn:aws:iam::{account}:role/service-role/AWSBackupDefaultServiceRole";

    /// <summary>The trust policy of AWS Backup's default service role.</summary>
    public const string BackupTrustPolicy =
        """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"backup.amazonaws.com"},"Action":"sts:AssumeRole"}]}""";

    /// <summary>Creates the AWS Backup default service role in <paramref name="account"/> through IAM: no account has it until someone creates it.</summary>
    public static Task<JsonNode> CreateServiceRoleAsync(CliSessionFixture fixture, string account = SourceAccount) =>
        fixture.Aws.As(account).JsonAsync(
            "iam", "create-role", "--role-name", "AWSBackupDefaultServiceRole", "--path", "/service-role/",
            "--assume-role-policy-document", BackupTrustPolicy);

    public static string VaultArn(string account, string name) => $"arn:aws:backup:us-east-1:{account}:backup-vault:{name}";

    /// <summary>The vault access policy that lets one account copy into the vault.</summary>
    public static string VaultPolicyFor(JsonNode principal, JsonObject? condition = null)
    {
        var statement = new JsonObject
        {
            ["Sid"] = "AllowCopyIntoBackupVault",
            ["Effect"] = "Allow",
            ["Principal"] = principal,
            ["Action"] = "backup:CopyIntoBackupVault",
            ["Resource"] = "*",
        };
        if (condition is not null)
        {
            statement["Condition"] = condition;
        }

        return new JsonObject { ["Version"] = "2012-10-17", ["Statement"] = new JsonArray(statement) }.ToJsonString();
    }

    public static JsonNode AccountPrincipal(string account) => new JsonObject { ["AWS"] = $"arn:aws:iam::{account}:root" };

    /// <summary>A cluster on the given key (the account's aws/rds key when null), available.</summary>
    public static async Task<string> AvailableClusterAsync(CliSessionFixture fixture, string identifier, string? keyArn)
    {
        var cluster = await fixture.Aws.CreateClusterAsync(identifier, keyArn is null ? ["--storage-encrypted"] : ["--storage-encrypted", "--kms-key-id", keyArn]);
        fixture.Advance(TimeSpan.FromMinutes(6));
        return cluster["DBCluster"]!["DBClusterArn"].Text();
    }

    /// <summary>Backs the cluster up into the account's Default vault and waits (on the sandbox clock) for the job.</summary>
    public static async Task<JsonNode> CompletedBackupAsync(CliSessionFixture fixture, string clusterArn)
    {
        var started = await fixture.Aws.JsonAsync(
            "backup", "start-backup-job", "--backup-vault-name", "Default", "--resource-arn", clusterArn, "--iam-role-arn", Role(SourceAccount));
        fixture.Advance(TimeSpan.FromMinutes(6));
        return await fixture.Aws.JsonAsync("backup", "describe-backup-job", "--backup-job-id", started["BackupJobId"].Text());
    }

    /// <summary>A vault in <paramref name="account"/> encrypted with a new key of that account, with an access policy unless null.</summary>
    public static async Task<string> VaultAsync(CliSessionFixture fixture, string account, string name, string? policy)
    {
        var cli = fixture.Aws.As(account);
        var key = await cli.CreateKeyAsync("--description", "backup vault key");
        var vault = await cli.JsonAsync("backup", "create-backup-vault", "--backup-vault-name", name, "--encryption-key-arn", key["Arn"].Text());
        if (policy is not null)
        {
            await cli.JsonAsync("backup", "put-backup-vault-access-policy", "--backup-vault-name", name, "--policy", policy);
        }

        return vault["BackupVaultArn"].Text();
    }

    /// <summary>Copies a recovery point of the source account's Default vault and returns the copy job once it has run.</summary>
    public static async Task<JsonNode> CopyAsync(CliSessionFixture fixture, string recoveryPointArn, string destinationVaultArn)
    {
        var started = await fixture.Aws.JsonAsync(
            "backup", "start-copy-job", "--recovery-point-arn", recoveryPointArn, "--source-backup-vault-name", "Default",
            "--destination-backup-vault-arn", destinationVaultArn, "--iam-role-arn", Role(SourceAccount));
        var running = await fixture.Aws.JsonAsync("backup", "describe-copy-job", "--copy-job-id", started["CopyJobId"].Text());
        Assert.Equal("CREATED", running["CopyJob"]!["State"].Text());
        fixture.Advance(TimeSpan.FromMinutes(6));
        return (await fixture.Aws.JsonAsync("backup", "describe-copy-job", "--copy-job-id", started["CopyJobId"].Text()))["CopyJob"]!;
    }

    public static async Task<JsonArray> RecoveryPointsAsync(SessionCli cli, string vaultName) =>
        (await cli.JsonAsync("backup", "list-recovery-points-by-backup-vault", "--backup-vault-name", vaultName))["RecoveryPoints"]!.AsArray();

    public static Task EnableCrossAccountBackupAsync(CliSessionFixture fixture) =>
        fixture.Aws.As(ManagementAccount).JsonAsync("backup", "update-global-settings", "--global-settings", "isCrossAccountBackupEnabled=true");
}

/// <summary>A sandbox with the AWS Backup default service role in the source account.</summary>
public class BackupFixture : CliSessionFixture, IAsyncLifetime
{
    public new async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await BackupTestData.CreateServiceRoleAsync(this);
    }
}
