using Amazon.KeyManagementService.Model;
using Microsoft.Extensions.Logging.Abstractions;
using Rekey.Aws.RDS.Model;
using Rekey.EndToEnd.Tests.Support;
using Rekey.Runtime;
using Rekey.Waiting;

namespace Rekey.EndToEnd.Tests;

/// <summary>
/// The way back after a Blue/Green cutover from one customer managed key to another: Rollback names a restore-swap
/// Cutover onto the old key, and that Cutover, run as printed, moves the new cluster (which carries the rekey: tags
/// Blue/Green copied from blue) back onto the old key under the same names.
/// </summary>
public sealed class BlueGreenWayBackTests
{
    private const string FirstKeyAlias = "alias/ledger-first";

    [Theory]
    [ChaosSeeds]
    public async Task After_a_blue_green_cutover_between_customer_keys_the_restore_swap_Rollback_names_brings_the_cluster_back_onto_the_old_key(long chaosSeed)
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed, seed: false);
        string firstKey;
        using (var kms = sandbox.Aws.CreateKms(EndToEndSandbox.Region))
        {
            firstKey = (await kms.CreateKeyAsync(new CreateKeyRequest { Description = "the ledger's first customer managed key" })).KeyMetadata.Arn;
            await kms.CreateAliasAsync(new CreateAliasRequest { AliasName = FirstKeyAlias, TargetKeyId = firstKey });
        }

        using var rds = sandbox.Aws.CreateRds(EndToEndSandbox.Region);
        await LedgerCluster.SeedAsync(rds, new Waiter(WaitSettings.Fast, TimeProvider.System, NullLogger.Instance), CancellationToken.None, kmsKeyId: firstKey);
        var before = await ClusterAsync(rds, LedgerCluster.Id);
        Assert.Equal(firstKey, before.KmsKeyId);

        // Blue/Green from the first customer managed key to the second (alias/rekey-ledger, created by the run).
        await BlueGreenCutoverTests.PrepareAsync(sandbox);
        await BlueGreenRecoveryTests.RequireAsync(BlueGreenCutoverTests.CutoverAsync(sandbox, "e2e-bg-between-keys"));
        var switched = await ClusterAsync(rds, LedgerCluster.Id);
        Assert.NotEqual(firstKey, switched.KmsKeyId);
        Assert.Contains(switched.TagList ?? [], t => t.Key?.StartsWith(State.RekeyTags.Prefix, StringComparison.Ordinal) == true);

        var rollback = await sandbox.RollbackAsync("e2e-bg-between-keys", null, "--restore-swap-back");
        Assert.True(rollback.ExitCode == ExitCodes.Failed, rollback.ToString());
        Assert.Empty(rollback.MutatingCalls);
        var printed = $"--target=Cutover --strategy=restore-swap --cluster={LedgerCluster.Id} --kms-key={firstKey} --confirm={LedgerCluster.Id}";
        Assert.Contains(printed, Flat(rollback), StringComparison.Ordinal);

        // The printed way back, with a run of its own (the printed command names no --run-id).
        var wayBack = await sandbox.RunAsync(
            [.. sandbox.Arguments("Cutover", "e2e-way-back").Where(a => !a.StartsWith("--kms-key=", StringComparison.Ordinal) && a != "--create-key"), .. printed.Split(' ').Skip(1)]);

        Assert.True(wayBack.ExitCode == 0, wayBack.ToString());
        var back = await ClusterAsync(rds, LedgerCluster.Id);
        Assert.Equal(firstKey, back.KmsKeyId);
        Assert.Equal(before.Endpoint, back.Endpoint);
        Assert.Equal(before.ReaderEndpoint, back.ReaderEndpoint);
        Assert.NotEqual(switched.DbClusterResourceId, back.DbClusterResourceId);
        Assert.Equal(switched.DbClusterResourceId, (await ClusterAsync(rds, LedgerCluster.Id + "-old")).DbClusterResourceId);
        Assert.Contains("Verify passed", wayBack.Output, StringComparison.Ordinal);
    }

    /// <summary>The console as one line: the host wraps long messages at its width.</summary>
    private static string Flat(HostResult result) => string.Join(' ', result.Output.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries));

    private static async Task<DBCluster> ClusterAsync(Aws.RDS.IAmazonRDS rds, string id) =>
        (await rds.DescribeDBClustersAsync(new DescribeDBClustersRequest { DBClusterIdentifier = id })).DBClusters![0];
}
