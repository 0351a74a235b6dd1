using System.Text.Json.Nodes;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Rekey.Aws.Backup.Model;
using Rekey.Sandbox.Core;

namespace Rekey.Backup.Tests;

/// <summary>A run that stops at any change, run again, ends with one of everything and the copy in the backup account.</summary>
public sealed class CrashAndResumeTests
{
    public static TheoryData<string, string> Changes => new()
    {
        { "kms", "CreateKey" },
        { "kms", "CreateAlias" },
        { "kms", "EnableKeyRotation" },
        { "backup", "CreateBackupVault" },
        { "backup", "PutBackupVaultAccessPolicy" },
        { "backup", "CreateBackupPlan" },
        { "backup", "CreateBackupSelection" },
        { "backup", "StartBackupJob" },
        { "backup", "StartCopyJob" },
    };

    [Theory]
    [MemberData(nameof(Changes))]
    public async Task A_rerun_after_a_crash_at_a_change_converges_without_duplicates(string service, string operation)
    {
        await using var world = await BackupWorld.StartAsync();

        // The call fails as if the runner died there: the run stops, whatever was done before stays done.
        world.Sandbox.Faults.Add(new FaultRule { Kind = FaultKind.Fail, Service = service, Operation = operation, ErrorCode = "InternalFailure", HttpStatus = 500, Message = "the runner stopped here" });
        var crashed = await world.RunAsync("Backup");
        Assert.NotEqual(0, crashed.ExitCode);
        Assert.Contains(world.Sandbox.Calls.Find(service: service, operation: operation), c => c.ErrorCode is not null);

        var resumed = await world.RunAsync("Backup");

        Assert.True(resumed.ExitCode == 0, resumed.Output);
        await AssertOneOfEverythingAsync(world);
    }

    [Fact]
    public async Task A_copy_job_that_ends_failed_stops_the_run_with_AWSs_message_and_a_rerun_of_a_new_run_succeeds()
    {
        await using var world = await BackupWorld.StartAsync();
        world.Sandbox.Faults.Add(new FaultRule { Kind = FaultKind.FailAsync, Service = "backup", Operation = "StartCopyJob" });

        var failed = await world.RunAsync("Backup");

        Assert.NotEqual(0, failed.ExitCode);
        Assert.Contains("ended FAILED: An internal error occurred while copying the recovery point.", failed.Output.Replace("\n", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        var next = await world.RunAsync("Backup", "--run-id=backup-test-2");
        Assert.True(next.ExitCode == 0, next.Output);
        Assert.Single(await world.CopiesInBackupVaultAsync());
    }

    private static async Task AssertOneOfEverythingAsync(BackupWorld world)
    {
        using var source = world.Aws.CreateBackup(BackupWorld.Region);
        var plan = Assert.Single((await source.ListBackupPlansAsync(new ListBackupPlansRequest())).BackupPlansList!);
        Assert.Single((await source.ListBackupSelectionsAsync(new ListBackupSelectionsRequest { BackupPlanId = plan.BackupPlanId })).BackupSelectionsList!);
        Assert.Single(await world.CopiesInBackupVaultAsync());

        using var backup = world.As(BackupWorld.BackupAccount).CreateBackup(BackupWorld.Region);
        var policy = JsonNode.Parse((await backup.GetBackupVaultAccessPolicyAsync(new GetBackupVaultAccessPolicyRequest { BackupVaultName = BackupWorld.Vault })).Policy!)!;
        Assert.Single(policy["Statement"]!.AsArray(), s => (string?)s!["Sid"] == VaultPolicies.SidFor(BackupWorld.SourceAccount));

        using var kms = world.As(BackupWorld.BackupAccount).CreateKms(BackupWorld.Region);
        var keys = (await kms.ListKeysAsync(new ListKeysRequest())).Keys;
        var rekeyKeys = new List<string>();
        foreach (var key in keys)
        {
            var metadata = (await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata;
            if (metadata.KeyManager == KeyManagerType.CUSTOMER && metadata.KeyState == KeyState.Enabled)
            {
                rekeyKeys.Add(metadata.Arn);
            }
        }

        var vaultKey = Assert.Single(rekeyKeys);
        Assert.Equal(vaultKey, (await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = "alias/rekey-backup-vault" })).KeyMetadata.Arn);
        Assert.True((await kms.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = vaultKey })).KeyRotationEnabled);
    }
}
