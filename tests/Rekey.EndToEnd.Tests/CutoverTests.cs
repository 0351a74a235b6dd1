using System.Text.Json.Nodes;
using Rekey.Aws.RDS.Model;
using Rekey.EndToEnd.Tests.Support;
using Rekey.SandboxRehearsal;
using Rekey.State;

namespace Rekey.EndToEnd.Tests;

/// <summary>Cutover, the whole pipeline, against a cluster an application writes to the whole time.</summary>
public sealed class CutoverTests
{
    // What legitimately differs between the old cluster and its restored copy: identity, key, times, state.
    private static readonly string[] ClusterIdentity =
    [
        "DBClusterIdentifier", "DBClusterArn", "Endpoint", "ReaderEndpoint", "KmsKeyId", "TagList", "DBClusterMembers",
        "CustomEndpoints", "ClusterCreateTime", "EarliestRestorableTime", "LatestRestorableTime", "CloneGroupId",
    ];

    private static readonly string[] InstanceIdentity =
    [
        "DBInstanceIdentifier", "DBInstanceArn", "Endpoint", "DBClusterIdentifier", "KmsKeyId", "TagList", "InstanceCreateTime",
        "LatestRestorableTime", "DBInstanceStatus",
    ];

    [Theory]
    [ChaosSeeds(Every = true)]
    public async Task Cutover_with_a_writing_application_loses_no_acknowledged_write_and_keeps_every_endpoint_setting_and_instance(long chaosSeed)
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
        using var rds = sandbox.Aws.CreateRds(EndToEndSandbox.Region);
        var before = await DescribeAsync(rds, LedgerCluster.Id);
        var instancesBefore = await InstancesAsync(rds, LedgerCluster.Id);
        var endpointsBefore = await EndpointNamesAsync(rds, LedgerCluster.Id);

        await using var application = new WritingApplication(sandbox.Api, LedgerCluster.Id, before.Endpoint!, LedgerCluster.Account, LedgerCluster.Region);
        application.Start();
        var result = await sandbox.CutoverAsync("e2e-cutover");
        await application.StopAsync();

        Assert.True(result.ExitCode == 0, result.ToString());

        // Endpoints: every name the application can use is the same, now served by the new cluster.
        var after = await DescribeAsync(rds, LedgerCluster.Id);
        Assert.Equal(endpointsBefore, await EndpointNamesAsync(rds, LedgerCluster.Id));
        Assert.Equal(before.Endpoint, after.Endpoint);
        Assert.Equal(before.ReaderEndpoint, after.ReaderEndpoint);
        Assert.NotEqual(before.DbClusterResourceId, after.DbClusterResourceId);

        // Key: the storage key is the CMK under the alias, no longer aws/rds.
        using var kms = sandbox.Aws.CreateKms(EndToEndSandbox.Region);
        var cmk = (await kms.DescribeKeyAsync(new Amazon.KeyManagementService.Model.DescribeKeyRequest { KeyId = LedgerCluster.KeyAlias })).KeyMetadata;
        Assert.Equal(Amazon.KeyManagementService.KeyManagerType.CUSTOMER, cmk.KeyManager);
        Assert.Equal(cmk.Arn, after.KmsKeyId);
        Assert.NotEqual(before.KmsKeyId, after.KmsKeyId);

        // Settings: the new cluster and instances equal the old ones in everything but identity and key.
        var old = await DescribeAsync(rds, LedgerCluster.Id + "-old");
        Assert.Equal(Without(old, ClusterIdentity), Without(after, ClusterIdentity));
        Assert.Equal(UserTags(before), UserTags(after));
        Assert.Equal(before.AssociatedRoles!.Select(r => $"{r.RoleArn} {r.FeatureName}"), after.AssociatedRoles!.Select(r => $"{r.RoleArn} {r.FeatureName}"));
        Assert.Equal(
            before.DBClusterMembers!.Select(m => $"{m.DBInstanceIdentifier} writer={m.IsClusterWriter}").Order(),
            after.DBClusterMembers!.Select(m => $"{m.DBInstanceIdentifier} writer={m.IsClusterWriter}").Order());
        var instancesAfter = await InstancesAsync(rds, LedgerCluster.Id);
        Assert.Equal(instancesBefore.Select(i => i.Endpoint!.Address), instancesAfter.Select(i => i.Endpoint!.Address));
        Assert.Equal(instancesBefore.Select(i => Without(i, InstanceIdentity)), instancesAfter.Select(i => Without(i, InstanceIdentity)));
        Assert.Equal(instancesBefore.Select(UserTags), instancesAfter.Select(UserTags));
        Assert.All(instancesAfter, i => Assert.Equal("available", i.DBInstanceStatus));

        // Writes: every write acknowledged before T1 is in the new cluster; none reached the old one after T1.
        var t1 = DateTimeOffset.Parse(old.TagList!.Single(t => t.Key == RekeyTags.T1).Value!, System.Globalization.CultureInfo.InvariantCulture);
        var oldResource = (await sandbox.Api.ClustersAsync(CancellationToken.None)).Single(c => c.Identifier == LedgerCluster.Id + "-old").ResourceId;
        var newWrites = await sandbox.Api.ClusterWritesAsync(LedgerCluster.Account, LedgerCluster.Region, LedgerCluster.Id, CancellationToken.None);
        var audit = WriteAudit.Of(LedgerCluster.Id, application.Acknowledged, oldResource, t1, newWrites);
        Assert.True(audit.AcknowledgedByOldBeforeT1 > 0, "the application wrote to the old cluster before the fence");
        Assert.True(audit.AcknowledgedByNew > 0, "the application wrote to the new cluster after the cutover");
        Assert.Empty(audit.LostBeforeT1);
        Assert.Empty(audit.OldAfterT1);
    }

    [Theory]
    [ChaosSeeds]
    public async Task Cutover_without_confirmation_refuses_before_any_mutating_call(long chaosSeed)
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);

        var result = await sandbox.RunAsync(sandbox.Arguments("Cutover", "e2e-unconfirmed"));

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains($"--confirm={LedgerCluster.Id}", result.Output, StringComparison.Ordinal);
        Assert.Empty(result.MutatingCalls);
    }

    public static async Task<DBCluster> DescribeAsync(Rekey.Aws.RDS.IAmazonRDS rds, string id) =>
        (await rds.DescribeDBClustersAsync(new DescribeDBClustersRequest { DBClusterIdentifier = id })).DBClusters!.Single();

    public static async Task<IReadOnlyList<DBInstance>> InstancesAsync(Rekey.Aws.RDS.IAmazonRDS rds, string clusterId) =>
        [.. ((await rds.DescribeDBInstancesAsync(new DescribeDBInstancesRequest())).DBInstances ?? [])
            .Where(i => i.DBClusterIdentifier == clusterId)
            .OrderBy(i => i.DBInstanceIdentifier, StringComparer.Ordinal)];

    /// <summary>Every DNS name of a cluster: cluster, reader, custom and instance endpoints.</summary>
    public static async Task<IReadOnlyList<string>> EndpointNamesAsync(Rekey.Aws.RDS.IAmazonRDS rds, string clusterId)
    {
        var cluster = await DescribeAsync(rds, clusterId);
        var custom = (await rds.DescribeDBClusterEndpointsAsync(new DescribeDBClusterEndpointsRequest { DBClusterIdentifier = clusterId })).DBClusterEndpoints ?? [];
        var instances = await InstancesAsync(rds, clusterId);
        return [.. new[] { cluster.Endpoint!, cluster.ReaderEndpoint! }
            .Concat(custom.Where(e => e.EndpointType == "CUSTOM").Select(e => $"{e.Endpoint} {string.Join(',', e.StaticMembers ?? [])}"))
            .Concat(instances.Select(i => i.Endpoint!.Address!))
            .Order(StringComparer.Ordinal)];
    }

    public static IReadOnlyList<string> UserTags(DBCluster cluster) => UserTags(cluster.TagList);

    public static IReadOnlyList<string> UserTags(DBInstance instance) => UserTags(instance.TagList);

    private static IReadOnlyList<string> UserTags(IEnumerable<Tag>? tags) =>
        [.. (tags ?? []).Where(t => !RekeyTags.IsRekeyTag(t.Key!)).Select(t => $"{t.Key}={t.Value}").Order(StringComparer.Ordinal)];

    /// <summary>A resource as normalized JSON without the named properties.</summary>
    public static string Without<T>(T resource, IEnumerable<string> properties)
    {
        var node = JsonNode.Parse(AccountState.Normalize(resource))!.AsObject();
        foreach (var property in properties)
        {
            node.Remove(property);
        }

        return node.ToJsonString();
    }
}
