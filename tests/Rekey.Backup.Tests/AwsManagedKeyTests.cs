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
}
