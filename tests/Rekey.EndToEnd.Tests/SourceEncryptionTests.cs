using System.Text.Json.Nodes;
using Amazon.KeyManagementService.Model;
using Rekey.Aws.RDS.Model;
using Rekey.EndToEnd.Tests.Support;
using Rekey.Fleet;

namespace Rekey.EndToEnd.Tests;

/// <summary>
/// Every kind of source whose backups cannot leave the account, moved onto the customer managed key under its own
/// names: an AWS owned key (sse-rds, Aurora's default since 2026-02-18), an unencrypted cluster, and another
/// customer managed key.
/// </summary>
public sealed class SourceEncryptionTests
{
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

    private static string Flat(HostResult result) => string.Join(' ', result.Output.Split('\n').Select(l => l.Trim()));

    [Theory]
    [ChaosSeeds]
    public async Task A_cluster_created_without_a_key_is_sse_rds_listed_by_Inventory_and_Cutover_auto_moves_it_onto_the_customer_key_under_its_own_names_and_Rollback_brings_it_back(long chaosSeed)
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed, encryption: LedgerEncryption.AwsOwned);
        var before = await ClusterAsync(sandbox, LedgerCluster.Id);

        var inventory = await sandbox.RunAsync("--target=Inventory", $"--regions={LedgerCluster.Region}", $"--artifacts={sandbox.ArtifactsDirectory}");
        var listed = Assert.Single(InventoryResult.FromJson(File.ReadAllText(Path.Combine(sandbox.ArtifactsDirectory, "inventory.json"))));
        var cutover = await sandbox.CutoverAsync("e2e-owned");
        var after = await ClusterAsync(sandbox, LedgerCluster.Id);
        var old = await ClusterAsync(sandbox, LedgerCluster.Id + "-old");
        var cmk = await KeyArnAsync(sandbox, LedgerCluster.KeyAlias);

        Assert.Equal(("sse-rds", true, null), (before.StorageEncryptionType, before.StorageEncrypted, before.KmsKeyId));
        Assert.True(inventory.ExitCode == 0, inventory.ToString());
        Assert.Equal((LedgerCluster.Id, "sse-rds", "AWS owned"), (listed.Cluster, listed.StorageEncryptionType, listed.Key));
        Assert.True(cutover.ExitCode == 0, cutover.ToString());

        // auto: Blue/Green needs logical replication first (an extra reboot), so restore-swap, saying what would be shorter.
        Assert.Contains("so restore-swap, the way out without an extra reboot", Flat(cutover), StringComparison.Ordinal);
        Assert.Equal(("sse-kms", cmk), (after.StorageEncryptionType, after.KmsKeyId));
        Assert.Equal(before.Endpoint, after.Endpoint);
        Assert.Equal(before.ReaderEndpoint, after.ReaderEndpoint);
        Assert.Equal(("sse-rds", null), (old.StorageEncryptionType, old.KmsKeyId));

        var rollback = await sandbox.RollbackAsync("e2e-owned");
        var back = await ClusterAsync(sandbox, LedgerCluster.Id);

        Assert.True(rollback.ExitCode == 0, rollback.ToString());
        Assert.Equal(before.DbClusterResourceId, back.DbClusterResourceId);
        Assert.Equal(("sse-rds", null), (back.StorageEncryptionType, back.KmsKeyId));
        Assert.Equal(before.Endpoint, back.Endpoint);
    }

    [Theory]
    [ChaosSeeds]
    public async Task Plan_ranks_logical_replication_first_above_restore_swap_and_shows_a_blocked_Blue_Green_with_its_reason_and_no_forecast(long chaosSeed)
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed, encryption: LedgerEncryption.AwsOwned);

        var plan = await sandbox.RunAsync(sandbox.Arguments("Plan", "e2e-owned-plan"));
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(sandbox.ArtifactsDirectory, $"{LedgerCluster.Id}-plan.json")))!;
        var ways = json["waysOut"]!.AsArray().Select(w => w!).ToList();

        Assert.True(plan.ExitCode == 0, plan.ToString());
        Assert.Empty(plan.MutatingCalls);
        Assert.Equal("sse-rds", (string?)json["sourceEncryptionType"]);
        Assert.Equal(["parameter-first", "restore-swap", "blue-green"], ways.Select(w => (string?)w["name"]));
        Assert.Equal([1, 2], ways.Take(2).Select(w => (int)w["rank"]!));
        Assert.True((double)ways[0]["forecastSeconds"]! < (double)ways[1]["forecastSeconds"]!);
        Assert.Contains("one reboot now, about 60 s of failed writes; then Blue/Green", (string?)ways[0]["title"], StringComparison.Ordinal);
        Assert.True((bool)ways[0]["extraReboot"]!);
        Assert.False(string.IsNullOrEmpty((string?)ways[0]["needsFromOperator"]));
        Assert.False(string.IsNullOrEmpty((string?)ways[0]["cost"]));
        Assert.True((bool)ways[1]["chosen"]!);
        var blueGreen = ways[2];
        Assert.Null(blueGreen["rank"]);
        Assert.Null(blueGreen["forecast"]);
        Assert.Null(blueGreen["forecastSeconds"]);
        Assert.Contains(blueGreen["blockedBy"]!.AsArray(), b => ((string?)b)!.Contains("rds.logical_replication", StringComparison.Ordinal));
        var markdown = File.ReadAllText(Path.Combine(sandbox.ArtifactsDirectory, $"{LedgerCluster.Id}-plan.md"));
        Assert.Contains("Ways out, ranked by forecast write outage", markdown, StringComparison.Ordinal);
        Assert.Contains("Shorter with one extra reboot", markdown, StringComparison.Ordinal);
        Assert.Contains("Storage key: an AWS owned key (sse-rds)", markdown, StringComparison.Ordinal);
    }

    [Theory]
    [ChaosSeeds]
    public async Task An_unencrypted_cluster_is_refused_by_restore_swap_before_any_change_and_Cutover_auto_moves_it_with_Blue_Green_onto_the_customer_key(long chaosSeed)
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed, encryption: LedgerEncryption.Unencrypted);
        var before = await ClusterAsync(sandbox, LedgerCluster.Id);

        var restoreSwap = await sandbox.CutoverAsync("e2e-plain-swap", null, "--strategy=restore-swap");
        var autoBlocked = await sandbox.CutoverAsync("e2e-plain-auto");

        Assert.Equal("none", before.StorageEncryptionType);
        Assert.NotEqual(0, restoreSwap.ExitCode);
        Assert.Contains("a point-in-time restore rejects a key for an unencrypted source", Flat(restoreSwap), StringComparison.Ordinal);
        Assert.Empty(restoreSwap.MutatingCalls);

        // auto picks Blue/Green, the only way out, and names the reboot it needs first.
        Assert.NotEqual(0, autoBlocked.ExitCode);
        Assert.Contains("so Blue/Green, the only way out", Flat(autoBlocked), StringComparison.Ordinal);
        Assert.Contains("PrepareBlueGreenParameters", Flat(autoBlocked), StringComparison.Ordinal);
        Assert.Empty(autoBlocked.MutatingCalls);

        await BlueGreenCutoverTests.PrepareAsync(sandbox);
        var cutover = await sandbox.CutoverAsync("e2e-plain", null, "--sequences-advanced");
        if (cutover.ExitCode == Rekey.Runtime.ExitCodes.VerificationFailed)
        {
            cutover = await BlueGreenCutoverTests.VerifyAsync(sandbox, "e2e-plain", null, "--sequences-advanced");
        }

        var after = await ClusterAsync(sandbox, LedgerCluster.Id);
        var oldBlue = await ClusterAsync(sandbox, LedgerCluster.Id + "-old1");

        Assert.True(cutover.ExitCode == 0, cutover.ToString());
        Assert.Equal(("sse-kms", await KeyArnAsync(sandbox, LedgerCluster.KeyAlias)), (after.StorageEncryptionType, after.KmsKeyId));
        Assert.Equal(before.Endpoint, after.Endpoint);
        Assert.Equal("none", oldBlue.StorageEncryptionType);

        // No way back onto "no key": Rollback says so and changes nothing; Cleanup snapshots and deletes the old blue.
        var back = await sandbox.RollbackAsync("e2e-plain", null, "--restore-swap-back");
        var cleanup = await sandbox.RunAsync(sandbox.Arguments("Cleanup", "e2e-plain-cleanup", $"--confirm={LedgerCluster.Id}", "--min-age=0s"));
        using var rds = sandbox.Aws.CreateRds(EndToEndSandbox.Region);
        var snapshots = (await rds.DescribeDBClusterSnapshotsAsync(new DescribeDBClusterSnapshotsRequest { DBClusterIdentifier = LedgerCluster.Id + "-old1" })).DBClusterSnapshots!;

        Assert.NotEqual(0, back.ExitCode);
        Assert.Empty(back.MutatingCalls);
        Assert.Contains("was not encrypted, which no restore or Blue/Green deployment can produce from an encrypted cluster", Flat(back), StringComparison.Ordinal);
        Assert.True(cleanup.ExitCode == 0, cleanup.ToString());
        Assert.Contains(snapshots, s => s.StorageEncryptionType == "none");
        Assert.Equal(("sse-kms", after.KmsKeyId), ((await ClusterAsync(sandbox, LedgerCluster.Id)).StorageEncryptionType, (await ClusterAsync(sandbox, LedgerCluster.Id)).KmsKeyId));
    }

    [Theory]
    [ChaosSeeds]
    public async Task A_cluster_on_another_customer_managed_key_is_moved_to_the_target_key_and_Rollback_puts_it_back_on_its_own_key(long chaosSeed)
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed, encryption: LedgerEncryption.CustomerKey);
        var before = await ClusterAsync(sandbox, LedgerCluster.Id);
        var sourceKey = await KeyArnAsync(sandbox, LedgerCluster.SourceKeyAlias);

        var cutover = await sandbox.CutoverAsync("e2e-cmk");
        var after = await ClusterAsync(sandbox, LedgerCluster.Id);
        var targetKey = await KeyArnAsync(sandbox, LedgerCluster.KeyAlias);

        Assert.Equal(("sse-kms", sourceKey), (before.StorageEncryptionType, before.KmsKeyId));
        Assert.True(cutover.ExitCode == 0, cutover.ToString());
        Assert.NotEqual(sourceKey, targetKey);
        Assert.Equal(targetKey, after.KmsKeyId);
        Assert.Equal(before.Endpoint, after.Endpoint);
        Assert.Equal(sourceKey, (await ClusterAsync(sandbox, LedgerCluster.Id + "-old")).KmsKeyId);

        var rollback = await sandbox.RollbackAsync("e2e-cmk");
        var back = await ClusterAsync(sandbox, LedgerCluster.Id);

        Assert.True(rollback.ExitCode == 0, rollback.ToString());
        Assert.Equal((before.DbClusterResourceId, sourceKey), (back.DbClusterResourceId, back.KmsKeyId));
    }
}
