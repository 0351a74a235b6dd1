using System.Text.Json.Nodes;
using Amazon.KeyManagementService.Model;
using Rekey.Aws.RDS.Model;
using Rekey.EndToEnd.Tests.Support;

namespace Rekey.EndToEnd.Tests;

/// <summary>
/// The cells of "every step for every source type, both strategies where AWS allows them" that the other tests leave:
/// Preflight and Plan of each source type before any change, Blue/Green from an AWS owned key with its refused way back
/// and Cleanup, and Cleanup after moving between customer managed keys.
/// </summary>
public sealed class SourceMatrixTests
{
    [Theory]
    [InlineData(LedgerEncryption.AwsManaged, "sse-kms", 0)]
    [InlineData(LedgerEncryption.AwsOwned, "sse-rds", 0)]
    [InlineData(LedgerEncryption.CustomerKey, "sse-kms", 0)]
    [InlineData(LedgerEncryption.Unencrypted, "none", Runtime.ExitCodes.RefusedByPreflight)]
    public async Task Preflight_and_Plan_of_each_source_type_name_its_encryption_rank_the_ways_out_and_change_nothing(LedgerEncryption source, string type, int preflightExitCode)
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(null, encryption: source);

        var preflight = await sandbox.RunAsync(sandbox.Arguments("Preflight", "e2e-matrix-preflight"));
        var plan = await sandbox.RunAsync(sandbox.Arguments("Plan", "e2e-matrix-plan"));
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(sandbox.ArtifactsDirectory, $"{LedgerCluster.Id}-plan.json")))!;
        var ways = json["waysOut"]!.AsArray().Select(w => w!).ToList();

        Assert.True(preflight.ExitCode == preflightExitCode, preflight.ToString());
        // Plan writes the ranked ways out even when Preflight blocks the cutover, and then exits as Preflight does.
        Assert.True(plan.ExitCode == preflightExitCode, plan.ToString());
        Assert.Empty(preflight.MutatingCalls);
        Assert.Empty(plan.MutatingCalls);
        Assert.Equal(type, (string?)json["sourceEncryptionType"]);

        // Blue/Green asked for on each source type: refused before any change until logical replication is on, naming the parameter.
        var blueGreen = await sandbox.RunAsync(sandbox.Arguments("Preflight", "e2e-matrix-bg", "--strategy=blue-green"));
        Assert.True(blueGreen.ExitCode == Runtime.ExitCodes.RefusedByPreflight, blueGreen.ToString());
        Assert.Empty(blueGreen.MutatingCalls);
        Assert.Contains("rds.logical_replication", Flat(blueGreen), StringComparison.Ordinal);
        Assert.Contains("To fix: ./build.sh --target=PrepareBlueGreenParameters --cluster=", Flat(blueGreen), StringComparison.Ordinal);

        // Every way out is ranked with a forecast or shown blocked with its reasons; exactly one is chosen.
        Assert.Single(ways, w => (bool?)w["chosen"] == true);
        Assert.All(ways, w => Assert.True(w["forecastSeconds"] is not null || w["blockedBy"]!.AsArray().Count > 0, w.ToJsonString()));
        if (source == LedgerEncryption.Unencrypted)
        {
            // AWS's point-in-time restore takes no key for an unencrypted source: restore-swap is blocked, Blue/Green is the way AWS offers.
            var restoreSwap = Assert.Single(ways, w => (string?)w["name"] == "restore-swap");
            Assert.Null(restoreSwap["forecastSeconds"]);
            Assert.Contains(restoreSwap["blockedBy"]!.AsArray(), b => ((string?)b)!.Contains("unencrypted", StringComparison.Ordinal));
            Assert.Contains("PrepareBlueGreenParameters", Flat(preflight), StringComparison.Ordinal);

            var restoreSwapAsked = await sandbox.RunAsync(sandbox.Arguments("Preflight", "e2e-matrix-swap", "--strategy=restore-swap"));
            Assert.Equal(Runtime.ExitCodes.RefusedByPreflight, restoreSwapAsked.ExitCode);
            Assert.Empty(restoreSwapAsked.MutatingCalls);
            Assert.Contains("The way AWS offers is a Blue/Green deployment whose green is encrypted with the target key (TargetKmsKeyId): --strategy=blue-green", Flat(restoreSwapAsked), StringComparison.Ordinal);
        }
    }

    [Theory]
    [ChaosSeeds]
    public async Task A_cluster_on_an_AWS_owned_key_moved_by_Blue_Green_has_no_way_back_onto_that_key_and_Cleanup_keeps_a_final_sse_rds_snapshot_of_the_old_blue(long chaosSeed)
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed, encryption: LedgerEncryption.AwsOwned);
        var before = await ClusterAsync(sandbox, LedgerCluster.Id);
        await BlueGreenCutoverTests.PrepareAsync(sandbox);

        var cutover = await BlueGreenCutoverTests.CutoverAsync(sandbox, "e2e-owned-bg");
        var after = await ClusterAsync(sandbox, LedgerCluster.Id);
        var oldBlue = await ClusterAsync(sandbox, LedgerCluster.Id + "-old1");

        Assert.True(cutover.ExitCode == 0, cutover.ToString());
        Assert.Equal(("sse-kms", await KeyArnAsync(sandbox, LedgerCluster.KeyAlias)), (after.StorageEncryptionType, after.KmsKeyId));
        Assert.Equal((before.Endpoint, before.ReaderEndpoint), (after.Endpoint, after.ReaderEndpoint));
        Assert.Equal((before.DbClusterResourceId, "sse-rds"), (oldBlue.DbClusterResourceId, oldBlue.StorageEncryptionType));

        var back = await sandbox.RollbackAsync("e2e-owned-bg", null, "--restore-swap-back");

        Assert.NotEqual(0, back.ExitCode);
        Assert.Empty(back.MutatingCalls);
        Assert.Contains("on an AWS owned key (sse-rds), which no restore or Blue/Green deployment can produce from an encrypted cluster", Flat(back), StringComparison.Ordinal);

        var cleanup = await sandbox.RunAsync(sandbox.Arguments("Cleanup", "e2e-owned-bg-cleanup", $"--confirm={LedgerCluster.Id}", "--min-age=0s"));
        using var rds = sandbox.Aws.CreateRds(EndToEndSandbox.Region);
        var snapshots = (await rds.DescribeDBClusterSnapshotsAsync(new DescribeDBClusterSnapshotsRequest { DBClusterIdentifier = LedgerCluster.Id + "-old1" })).DBClusterSnapshots!;
        var clusters = (await rds.DescribeDBClustersAsync(new DescribeDBClustersRequest())).DBClusters!;

        Assert.True(cleanup.ExitCode == 0, cleanup.ToString());
        Assert.Contains(snapshots, s => s.StorageEncryptionType == "sse-rds" && s.KmsKeyId is null && s.Status == "available");
        Assert.DoesNotContain(clusters, c => c.DBClusterIdentifier == LedgerCluster.Id + "-old1");
        Assert.Equal(after.DbClusterResourceId, (await ClusterAsync(sandbox, LedgerCluster.Id)).DbClusterResourceId);
    }

    [Theory]
    [ChaosSeeds]
    public async Task After_a_move_between_customer_managed_keys_Cleanup_keeps_a_final_snapshot_on_the_old_key_and_deletes_the_old_cluster(long chaosSeed)
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed, encryption: LedgerEncryption.CustomerKey);
        var sourceKey = await KeyArnAsync(sandbox, LedgerCluster.SourceKeyAlias);

        var cutover = await sandbox.CutoverAsync("e2e-cmk-cleanup", null, "--strategy=restore-swap");
        Assert.True(cutover.ExitCode == 0, cutover.ToString());
        var after = await ClusterAsync(sandbox, LedgerCluster.Id);

        var cleanup = await sandbox.RunAsync(sandbox.Arguments("Cleanup", "e2e-cmk-cleanup-2", $"--confirm={LedgerCluster.Id}", "--min-age=0s"));
        using var rds = sandbox.Aws.CreateRds(EndToEndSandbox.Region);
        var snapshots = (await rds.DescribeDBClusterSnapshotsAsync(new DescribeDBClusterSnapshotsRequest { DBClusterIdentifier = LedgerCluster.Id + "-old" })).DBClusterSnapshots!;
        var clusters = (await rds.DescribeDBClustersAsync(new DescribeDBClustersRequest())).DBClusters!;

        Assert.True(cleanup.ExitCode == 0, cleanup.ToString());
        Assert.Contains(snapshots, s => s.KmsKeyId == sourceKey && s.StorageEncryptionType == "sse-kms" && s.Status == "available");
        Assert.DoesNotContain(clusters, c => c.DBClusterIdentifier == LedgerCluster.Id + "-old");
        Assert.Equal((after.DbClusterResourceId, after.KmsKeyId), ((await ClusterAsync(sandbox, LedgerCluster.Id)).DbClusterResourceId, (await ClusterAsync(sandbox, LedgerCluster.Id)).KmsKeyId));
    }

    [Theory]
    [ChaosSeeds]
    public async Task After_restore_swap_from_an_AWS_owned_key_Cleanup_keeps_a_final_sse_rds_snapshot_of_the_old_cluster_and_deletes_it(long chaosSeed)
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed, encryption: LedgerEncryption.AwsOwned);

        var cutover = await sandbox.CutoverAsync("e2e-owned-cleanup", null, "--strategy=restore-swap");
        Assert.True(cutover.ExitCode == 0, cutover.ToString());
        var after = await ClusterAsync(sandbox, LedgerCluster.Id);

        var cleanup = await sandbox.RunAsync(sandbox.Arguments("Cleanup", "e2e-owned-cleanup-2", $"--confirm={LedgerCluster.Id}", "--min-age=0s"));
        using var rds = sandbox.Aws.CreateRds(EndToEndSandbox.Region);
        var snapshots = (await rds.DescribeDBClusterSnapshotsAsync(new DescribeDBClusterSnapshotsRequest { DBClusterIdentifier = LedgerCluster.Id + "-old" })).DBClusterSnapshots!;
        var clusters = (await rds.DescribeDBClustersAsync(new DescribeDBClustersRequest())).DBClusters!;

        Assert.True(cleanup.ExitCode == 0, cleanup.ToString());
        Assert.Contains(snapshots, s => s.StorageEncryptionType == "sse-rds" && s.KmsKeyId is null && s.Status == "available");
        Assert.DoesNotContain(clusters, c => c.DBClusterIdentifier == LedgerCluster.Id + "-old");
        Assert.Equal(("sse-kms", after.DbClusterResourceId), ((await ClusterAsync(sandbox, LedgerCluster.Id)).StorageEncryptionType, (await ClusterAsync(sandbox, LedgerCluster.Id)).DbClusterResourceId));
    }

    [Theory]
    [ChaosSeeds]
    public async Task After_a_Blue_Green_move_between_customer_keys_Backup_copies_a_recovery_point_on_the_new_key_to_the_backup_account_and_Cleanup_keeps_a_final_snapshot_of_the_old_blue_on_its_key(long chaosSeed)
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed, encryption: LedgerEncryption.CustomerKey);
        await BackupAfterMigrationTests.SeedBackupAccountAsync(sandbox);
        var sourceKey = await KeyArnAsync(sandbox, LedgerCluster.SourceKeyAlias);
        await BlueGreenCutoverTests.PrepareAsync(sandbox);

        var cutover = await BlueGreenCutoverTests.CutoverAsync(sandbox, "e2e-cmk-bg", null, $"--backup-account={BackupAfterMigrationTests.BackupAccount}");
        var targetKey = await KeyArnAsync(sandbox, LedgerCluster.KeyAlias);
        var backup = await sandbox.RunAsync(sandbox.Arguments("Backup", "e2e-cmk-bg-backup", [$"--confirm={LedgerCluster.Id}", .. BackupAfterMigrationTests.BackupArguments]));

        Assert.True(cutover.ExitCode == 0, cutover.ToString());
        Assert.Equal(targetKey, (await ClusterAsync(sandbox, LedgerCluster.Id)).KmsKeyId);
        Assert.True(backup.ExitCode == 0, backup.ToString());
        using (var local = sandbox.Aws.CreateBackup(EndToEndSandbox.Region))
        {
            var points = (await local.ListRecoveryPointsByBackupVaultAsync(new Rekey.Aws.Backup.Model.ListRecoveryPointsByBackupVaultRequest { BackupVaultName = BackupAfterMigrationTests.Vault })).RecoveryPoints ?? [];
            Assert.Contains(points, p => p.ResourceArn == BackupAfterMigrationTests.ClusterArn && p.EncryptionKeyArn == targetKey && p.Status == "COMPLETED");
        }

        using (var remote = sandbox.Aws.WithCredentials(new Amazon.Runtime.BasicAWSCredentials(BackupAfterMigrationTests.BackupAccount, "end-to-end")).CreateBackup(EndToEndSandbox.Region))
        {
            var copy = Assert.Single((await remote.ListRecoveryPointsByBackupVaultAsync(new Rekey.Aws.Backup.Model.ListRecoveryPointsByBackupVaultRequest { BackupVaultName = BackupAfterMigrationTests.Vault })).RecoveryPoints ?? []);
            Assert.Equal((BackupAfterMigrationTests.ClusterArn, "COMPLETED"), (copy.ResourceArn, copy.Status));
        }

        var cleanup = await sandbox.RunAsync(sandbox.Arguments("Cleanup", "e2e-cmk-bg-cleanup", $"--confirm={LedgerCluster.Id}", "--min-age=0s"));
        using var rds = sandbox.Aws.CreateRds(EndToEndSandbox.Region);
        var snapshots = (await rds.DescribeDBClusterSnapshotsAsync(new DescribeDBClusterSnapshotsRequest { DBClusterIdentifier = LedgerCluster.Id + "-old1" })).DBClusterSnapshots!;
        var clusters = (await rds.DescribeDBClustersAsync(new DescribeDBClustersRequest())).DBClusters!;

        Assert.True(cleanup.ExitCode == 0, cleanup.ToString());
        Assert.Contains(snapshots, s => s.KmsKeyId == sourceKey && s.Status == "available");
        Assert.DoesNotContain(clusters, c => c.DBClusterIdentifier == LedgerCluster.Id + "-old1");
        Assert.Equal(targetKey, (await ClusterAsync(sandbox, LedgerCluster.Id)).KmsKeyId);
    }

    private static string Flat(HostResult result) => string.Join(' ', result.Output.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries));

    private static async Task<DBCluster> ClusterAsync(EndToEndSandbox sandbox, string id)
    {
        using var rds = sandbox.Aws.CreateRds(EndToEndSandbox.Region);
        return (await rds.DescribeDBClustersAsync(new DescribeDBClustersRequest { DBClusterIdentifier = id })).DBClusters![0];
    }

    private static async Task<string> KeyArnAsync(EndToEndSandbox sandbox, string alias)
    {
        using var kms = sandbox.Aws.CreateKms(EndToEndSandbox.Region);
        return (await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = alias })).KeyMetadata.Arn;
    }
}
