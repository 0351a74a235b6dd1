using Amazon.KeyManagementService.Model;
using Rekey.Aws.RDS;
using Rekey.Aws.RDS.Model;
using Rekey.Aws.Runtime;
using Rekey.Aws.Tests.Support;
using Tag = Rekey.Aws.RDS.Model.Tag;

namespace Rekey.Aws.Tests.Wire;

/// <summary>
/// RDS operations through AmazonRDSClient against moto_server. The ones moto lacks are listed,
/// with the reason, in <see cref="MotoGapsTests"/>.
/// </summary>
[Collection(MotoCollection.Name)]
public sealed class RdsWireTests(MotoServer moto)
{
    private readonly AwsClientFactory _factory = moto.Factory();

    [Fact]
    public async Task Cluster_and_writer_created_through_the_client_are_described_back_with_aws_server_time()
    {
        using var rds = _factory.CreateRds(MotoServer.Region);
        var id = NewId("describe");
        var created = await CreateClusterAsync(rds, id);
        Assert.Equal(id, created.DBCluster!.DBClusterIdentifier);

        var instance = await rds.CreateDBInstanceAsync(new CreateDBInstanceRequest
        {
            DBInstanceIdentifier = id + "-1",
            DBClusterIdentifier = id,
            DBInstanceClass = "db.r6g.large",
            Engine = "aurora-postgresql",
            PromotionTier = 0,
            Tags = [new Tag { Key = "rekey:role", Value = "source" }],
        });
        Assert.Equal(id, instance.DBInstance!.DBClusterIdentifier);

        var clusters = await ToListAsync(rds.DescribeDBClustersAllAsync(new DescribeDBClustersRequest { DBClusterIdentifier = id }));
        var cluster = Assert.Single(clusters);
        Assert.Equal("aurora-postgresql", cluster.Engine);
        Assert.True(cluster.StorageEncrypted);
        Assert.Contains(cluster.DBClusterMembers!, m => m.DBInstanceIdentifier == id + "-1");
        Assert.Contains(cluster.TagList!, t => t.Key == "rekey:run" && t.Value == id);
        Assert.False(string.IsNullOrEmpty(cluster.Endpoint));

        var instances = await ToListAsync(rds.DescribeDBInstancesAllAsync(new DescribeDBInstancesRequest
        {
            Filters = [new Filter { Name = "db-cluster-id", Values = [id] }],
        }));
        Assert.Equal(id + "-1", Assert.Single(instances).DBInstanceIdentifier);

        var described = await rds.DescribeDBClustersAsync(new DescribeDBClustersRequest { DBClusterIdentifier = id });
        AssertAwsClock(described);
    }

    [Fact]
    public async Task Renamed_cluster_answers_under_the_new_identifier_and_the_old_one_is_gone()
    {
        using var rds = _factory.CreateRds(MotoServer.Region);
        var id = NewId("rename");
        await CreateClusterAsync(rds, id);

        var renamed = await rds.ModifyDBClusterAsync(new ModifyDBClusterRequest
        {
            DBClusterIdentifier = id,
            NewDBClusterIdentifier = id + "-old",
            ApplyImmediately = true,
        });

        Assert.Equal(id + "-old", renamed.DBCluster!.DBClusterIdentifier);
        var gone = await Assert.ThrowsAsync<DBClusterNotFoundException>(() => rds.DescribeDBClustersAsync(new DescribeDBClustersRequest { DBClusterIdentifier = id }));
        Assert.Equal("DBClusterNotFoundFault", gone.ErrorCode);
        Assert.Contains(id, gone.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Point_in_time_restore_onto_a_customer_managed_key_creates_the_target_cluster()
    {
        using var rds = _factory.CreateRds(MotoServer.Region);
        using var kms = _factory.CreateKms(MotoServer.Region);
        var key = await kms.CreateKeyAsync(new CreateKeyRequest { Description = "rekey target" });
        var source = NewId("pitr");
        await CreateClusterAsync(rds, source);
        var restoreTime = DateTime.UtcNow.AddSeconds(-1);

        var target = source + "-new";
        var restored = await rds.RestoreDBClusterToPointInTimeAsync(new RestoreDBClusterToPointInTimeRequest
        {
            SourceDBClusterIdentifier = source,
            DBClusterIdentifier = target,
            RestoreType = "full-copy",
            RestoreToTime = restoreTime,
            KmsKeyId = key.KeyMetadata.Arn,
            DeletionProtection = false,
            CopyTagsToSnapshot = true,
            Tags = [new Tag { Key = "rekey:role", Value = "target" }],
        });

        Assert.Equal(target, restored.DBCluster!.DBClusterIdentifier);
        var cluster = Assert.Single(await ToListAsync(rds.DescribeDBClustersAllAsync(new DescribeDBClustersRequest { DBClusterIdentifier = target })));
        Assert.Equal(key.KeyMetadata.Arn, cluster.KmsKeyId);
    }

    [Fact]
    public async Task Tags_are_added_listed_and_removed_on_the_cluster_arn()
    {
        using var rds = _factory.CreateRds(MotoServer.Region);
        var id = NewId("tags");
        var arn = (await CreateClusterAsync(rds, id)).DBCluster!.DBClusterArn!;

        await rds.AddTagsToResourceAsync(new AddTagsToResourceRequest
        {
            ResourceName = arn,
            Tags = [new Tag { Key = "rekey:lock", Value = "run-1" }, new Tag { Key = "rekey:t1", Value = "2026-01-01T00:00:00Z" }],
        });
        var listed = await rds.ListTagsForResourceAsync(new ListTagsForResourceRequest { ResourceName = arn });
        Assert.Contains(listed.TagList!, t => t.Key == "rekey:lock" && t.Value == "run-1");
        Assert.Contains(listed.TagList!, t => t.Key == "rekey:t1");

        await rds.RemoveTagsFromResourceAsync(new RemoveTagsFromResourceRequest { ResourceName = arn, TagKeys = ["rekey:lock"] });
        var after = await rds.ListTagsForResourceAsync(new ListTagsForResourceRequest { ResourceName = arn });
        Assert.DoesNotContain(after.TagList!, t => t.Key == "rekey:lock");
        Assert.Contains(after.TagList!, t => t.Key == "rekey:t1");
    }

    [Fact]
    public async Task Instance_is_modified_rebooted_failed_over_to_and_deleted_then_the_cluster_is_deleted()
    {
        using var rds = _factory.CreateRds(MotoServer.Region);
        var id = NewId("lifecycle");
        await CreateClusterAsync(rds, id);
        foreach (var instanceId in new[] { id + "-1", id + "-2" })
        {
            await rds.CreateDBInstanceAsync(new CreateDBInstanceRequest
            {
                DBInstanceIdentifier = instanceId, DBClusterIdentifier = id, DBInstanceClass = "db.r6g.large", Engine = "aurora-postgresql",
            });
        }

        var modified = await rds.ModifyDBInstanceAsync(new ModifyDBInstanceRequest
        {
            DBInstanceIdentifier = id + "-1", PreferredMaintenanceWindow = "sun:03:00-sun:03:30", ApplyImmediately = true,
        });
        Assert.Equal(id + "-1", modified.DBInstance!.DBInstanceIdentifier);

        var rebooted = await rds.RebootDBInstanceAsync(new RebootDBInstanceRequest { DBInstanceIdentifier = id + "-1" });
        Assert.Equal(id + "-1", rebooted.DBInstance!.DBInstanceIdentifier);

        var failedOver = await rds.FailoverDBClusterAsync(new FailoverDBClusterRequest { DBClusterIdentifier = id, TargetDBInstanceIdentifier = id + "-2" });
        Assert.Equal(id, failedOver.DBCluster!.DBClusterIdentifier);

        await rds.AddRoleToDBClusterAsync(new AddRoleToDBClusterRequest
        {
            DBClusterIdentifier = id, RoleArn = "arn:aws:iam::123456789012:role/rds-s3-import", FeatureName = "s3Import",
        });
        var withRole = Assert.Single(await ToListAsync(rds.DescribeDBClustersAllAsync(new DescribeDBClustersRequest { DBClusterIdentifier = id })));
        Assert.Contains(withRole.AssociatedRoles!, r => r.RoleArn == "arn:aws:iam::123456789012:role/rds-s3-import");

        foreach (var instanceId in new[] { id + "-1", id + "-2" })
        {
            var deletedInstance = await rds.DeleteDBInstanceAsync(new DeleteDBInstanceRequest { DBInstanceIdentifier = instanceId, SkipFinalSnapshot = true });
            Assert.Equal(instanceId, deletedInstance.DBInstance!.DBInstanceIdentifier);
        }

        var deleted = await rds.DeleteDBClusterAsync(new DeleteDBClusterRequest { DBClusterIdentifier = id, SkipFinalSnapshot = true });
        Assert.Equal(id, deleted.DBCluster!.DBClusterIdentifier);
        await Assert.ThrowsAsync<DBClusterNotFoundException>(() => rds.DescribeDBClustersAsync(new DescribeDBClustersRequest { DBClusterIdentifier = id }));
    }

    [Fact]
    public async Task Cluster_snapshot_is_created_and_listed()
    {
        using var rds = _factory.CreateRds(MotoServer.Region);
        var id = NewId("snap");
        await CreateClusterAsync(rds, id);
        var created = await rds.CreateDBClusterSnapshotAsync(new CreateDBClusterSnapshotRequest
        {
            DBClusterIdentifier = id, DBClusterSnapshotIdentifier = id + "-final", Tags = [new Tag { Key = "rekey:run", Value = id }],
        });
        Assert.Equal(id + "-final", created.DBClusterSnapshot!.DBClusterSnapshotIdentifier);

        var snapshots = await ToListAsync(rds.DescribeDBClusterSnapshotsAllAsync(new DescribeDBClusterSnapshotsRequest { DBClusterIdentifier = id }));
        Assert.Contains(snapshots, s => s.DBClusterSnapshotIdentifier == id + "-final" && s.DBClusterIdentifier == id);
    }

    [Fact]
    public async Task Global_clusters_event_subscriptions_and_events_are_listed_with_aws_server_time()
    {
        using var rds = _factory.CreateRds(MotoServer.Region);
        var id = NewId("lists");
        await CreateClusterAsync(rds, id);

        // No test creates global clusters or event subscriptions: moto answers empty, well-formed lists.
        var globalClusters = await rds.DescribeGlobalClustersAsync(new DescribeGlobalClustersRequest { MaxRecords = 20 });
        AssertAwsClock(globalClusters);
        Assert.Empty(globalClusters.GlobalClusters!);
        Assert.Empty(await ToListAsync(rds.DescribeGlobalClustersAllAsync(new DescribeGlobalClustersRequest())));

        var subscriptions = await rds.DescribeEventSubscriptionsAsync(new DescribeEventSubscriptionsRequest());
        AssertAwsClock(subscriptions);
        Assert.Empty(subscriptions.EventSubscriptionsList!);

        var events = await rds.DescribeEventsAsync(new DescribeEventsRequest { SourceIdentifier = id, SourceType = SourceType.DbCluster, Duration = 60 });
        AssertAwsClock(events);
        Assert.All(events.Events ?? [], e => Assert.Equal(id, e.SourceIdentifier));
    }

    [Fact]
    public async Task Cluster_is_registered_with_a_proxy_listed_as_its_target_and_deregistered()
    {
        using var rds = _factory.CreateRds(MotoServer.Region);
        var id = NewId("proxy");
        await CreateClusterAsync(rds, id);

        // The proxy needs two subnets: moto's default VPC has them, read with boto3 (EC2 is not a Rekey client).
        var subnets = Python.Run(
            "import boto3; ec2 = boto3.client('ec2', region_name='us-east-1', endpoint_url='" + moto.Endpoint + "', " +
            "aws_access_key_id='AKIAMOTOTESTING00001', aws_secret_access_key='x'); " +
            "print(' '.join(s['SubnetId'] for s in ec2.describe_subnets()['Subnets'][:2]))").Split(' ');
        var proxy = await rds.CreateDBProxyAsync(new CreateDBProxyRequest
        {
            DBProxyName = id,
            EngineFamily = "POSTGRESQL",
            RoleArn = "arn:aws:iam::123456789012:role/rds-proxy",
            VpcSubnetIds = [.. subnets],
            Auth = [new UserAuthConfig { AuthScheme = "SECRETS", SecretArn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db" }],
        });
        Assert.Equal(id, proxy.DBProxy!.DBProxyName);

        var registered = await rds.RegisterDBProxyTargetsAsync(new RegisterDBProxyTargetsRequest { DBProxyName = id, DBClusterIdentifiers = [id] });
        Assert.Contains(registered.DBProxyTargets!, t => t.RdsResourceId == id);
        var targets = await ToListAsync(rds.DescribeDBProxyTargetsAllAsync(new DescribeDBProxyTargetsRequest { DBProxyName = id }));
        Assert.Contains(targets, t => t.RdsResourceId == id && t.Type == TargetType.TrackedCluster);
        Assert.Contains(await ToListAsync(rds.DescribeDBProxiesAllAsync(new DescribeDBProxiesRequest { DBProxyName = id })), p => p.DBProxyName == id);

        await rds.DeregisterDBProxyTargetsAsync(new DeregisterDBProxyTargetsRequest { DBProxyName = id, DBClusterIdentifiers = [id] });
        Assert.Empty(await ToListAsync(rds.DescribeDBProxyTargetsAllAsync(new DescribeDBProxyTargetsRequest { DBProxyName = id })));
    }

    [Fact]
    public async Task Describing_a_missing_cluster_fails_with_DBClusterNotFound_carrying_aws_message_and_request_id()
    {
        using var rds = _factory.CreateRds(MotoServer.Region);
        var id = NewId("missing");
        var error = await Assert.ThrowsAsync<DBClusterNotFoundException>(() => rds.DescribeDBClustersAsync(new DescribeDBClustersRequest { DBClusterIdentifier = id }));
        Assert.Equal("DBClusterNotFoundFault", error.ErrorCode);
        Assert.Contains(id, error.Message, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(error.RequestId));
        Assert.IsAssignableFrom<AmazonRDSException>(error);
    }

    internal static Task<CreateDBClusterResponse> CreateClusterAsync(IAmazonRDS rds, string id) =>
        rds.CreateDBClusterAsync(new CreateDBClusterRequest
        {
            DBClusterIdentifier = id,
            Engine = "aurora-postgresql",
            EngineVersion = "16.4",
            MasterUsername = "rekey",
            MasterUserPassword = "rekey-password-1",
            StorageEncrypted = true,
            BackupRetentionPeriod = 7,
            Tags = [new Tag { Key = "rekey:run", Value = id }],
        });

    internal static string NewId(string purpose) => $"rekey-{purpose}-{Guid.NewGuid().ToString("N")[..8]}";

    internal static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
        {
            list.Add(item);
        }

        return list;
    }

    internal static void AssertAwsClock(AwsResponse response)
    {
        // moto stamps its answers with its own clock, which is this machine's.
        Assert.NotNull(response.ServerDate);
        Assert.InRange(response.ServerDate.Value, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(5));
        Assert.False(string.IsNullOrEmpty(response.RequestId));
    }
}
