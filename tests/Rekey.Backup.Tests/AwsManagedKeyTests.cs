using Rekey.Aws.Backup.Model;
using Rekey.Aws.RDS.Model;

namespace Rekey.Backup.Tests;

public sealed class AwsManagedKeyTests
{
    [Fact]
    public async Task A_cluster_on_aws_rds_fails_the_copy_as_AWS_does_and_BackupPreflight_named_that_key_before()
    {
        await using var world = await BackupWorld.StartAsync(ClusterKey.AwsManaged);
        using var rds = world.Aws.CreateRds(BackupWorld.Region);
        var keyArn = (await rds.DescribeDBClustersAsync(new DescribeDBClustersRequest { DBClusterIdentifier = BackupWorld.Cluster })).DBClusters![0].KmsKeyId!;

        var preflight = await world.RunAsync("BackupPreflight");

        Assert.NotEqual(0, preflight.ExitCode);
        var said = preflight.Output.Replace("\n", string.Empty, StringComparison.Ordinal);
        Assert.Contains($"encrypted with the AWS managed key aws/rds ({keyArn})", said, StringComparison.Ordinal);

        // Everything else in place, by hand, as an operator who ignored the preflight would do it.
        using (var destination = world.As(BackupWorld.BackupAccount).CreateBackup(BackupWorld.Region))
        {
            await destination.CreateBackupVaultAsync(new CreateBackupVaultRequest { BackupVaultName = BackupWorld.Vault });
            await destination.PutBackupVaultAccessPolicyAsync(new PutBackupVaultAccessPolicyRequest
            {
                BackupVaultName = BackupWorld.Vault,
                Policy = VaultPolicies.Merge(null, "aws", BackupWorld.SourceAccount),
            });
        }

        using var backup = world.Aws.CreateBackup(BackupWorld.Region);
        await backup.CreateBackupVaultAsync(new CreateBackupVaultRequest { BackupVaultName = "local" });
        const string role = $"arn:aws:iam::{BackupWorld.SourceAccount}:role/service-role/AWSBackupDefaultServiceRole";
        var job = await backup.StartBackupJobAsync(new StartBackupJobRequest { BackupVaultName = "local", ResourceArn = world.ClusterArn, IamRoleArn = role });
        await Eventually.UntilAsync(async () => (await backup.DescribeBackupJobAsync(new DescribeBackupJobRequest { BackupJobId = job.BackupJobId })).State == "COMPLETED");
        var copy = await backup.StartCopyJobAsync(new StartCopyJobRequest
        {
            RecoveryPointArn = job.RecoveryPointArn,
            SourceBackupVaultName = "local",
            DestinationBackupVaultArn = world.BackupVaultArn,
            IamRoleArn = role,
        });
        CopyJob? ended = null;
        await Eventually.UntilAsync(async () =>
        {
            ended = (await backup.DescribeCopyJobAsync(new DescribeCopyJobRequest { CopyJobId = copy.CopyJobId })).CopyJob;
            return ended!.State is "COMPLETED" or "FAILED";
        });

        Assert.Equal("FAILED", ended!.State);
        Assert.Equal($"The source snapshot KMS key [{keyArn}] does not exist, is not enabled or you do not have permissions to access it.", ended.StatusMessage);
        Assert.Empty(await world.CopiesInBackupVaultAsync());
    }

    [Theory]
    [InlineData(ClusterKey.AwsOwned, "encrypted with an AWS owned key (StorageEncryptionType sse-rds", "no key policy can let the backup account use it")]
    [InlineData(ClusterKey.Unencrypted, "is not encrypted (StorageEncryptionType none)", "could copy its recovery points to the backup account, but unencrypted at the source")]
    public async Task BackupPreflight_explains_per_encryption_type_why_the_copy_cannot_be_set_up_and_how_to_make_it_work_before_any_change(ClusterKey key, string why, string detail)
    {
        await using var world = await BackupWorld.StartAsync(key);

        var run = await world.RunAsync("Backup");

        Assert.NotEqual(0, run.ExitCode);
        var said = string.Join(' ', run.Output.Split('\n').Select(l => l.TrimEnd()));
        Assert.Contains(why, said, StringComparison.Ordinal);
        Assert.Contains(detail, said, StringComparison.Ordinal);
        Assert.Contains($"--target=Cutover--cluster={BackupWorld.Cluster}--kms-key=alias/NAME", said.Replace(" ", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Empty(world.ChangingCalls());
    }
}
