using Rekey.Aws.RDS;
using Rekey.Aws.RDS.Model;

namespace Rekey.Clusters;

/// <summary>Reads clusters, instances and endpoints as RDS reports them now.</summary>
public sealed class ClusterReader(IAmazonRDS rds)
{
    /// <summary>The cluster, or null when no cluster has that identifier.</summary>
    public async Task<DBCluster?> FindClusterAsync(string clusterId, CancellationToken cancellationToken) =>
        (await DescribeClusterAsync(clusterId, cancellationToken).ConfigureAwait(false))?.DBClusters?.FirstOrDefault();

    /// <summary>The whole answer (for its server time), or null when no cluster has that identifier.</summary>
    public async Task<DescribeDBClustersResponse?> DescribeClusterAsync(string clusterId, CancellationToken cancellationToken)
    {
        try
        {
            return await rds.DescribeDBClustersAsync(new DescribeDBClustersRequest { DBClusterIdentifier = clusterId }, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (DBClusterNotFoundException)
        {
            return null;
        }
    }

    /// <summary>
    /// The clusters among <paramref name="clusterIds"/> that exist, by identifier: one DescribeDBClusters filtered on
    /// <c>db-cluster-id</c> answers for all of them, where a call per identifier would cost one each.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, DBCluster>> FindClustersAsync(IReadOnlyCollection<string> clusterIds, CancellationToken cancellationToken)
    {
        var request = new DescribeDBClustersRequest
        {
            Filters = [new Filter { Name = "db-cluster-id", Values = [.. clusterIds.Distinct(StringComparer.Ordinal)] }],
        };
        var found = new Dictionary<string, DBCluster>(StringComparer.Ordinal);
        await foreach (var cluster in rds.DescribeDBClustersAllAsync(request, cancellationToken).ConfigureAwait(false))
        {
            if (cluster.DBClusterIdentifier is { } id && clusterIds.Contains(id, StringComparer.Ordinal))
            {
                found[id] = cluster;
            }
        }

        return found;
    }

    public async Task<DBCluster> GetClusterAsync(string clusterId, CancellationToken cancellationToken) =>
        await FindClusterAsync(clusterId, cancellationToken).ConfigureAwait(false)
        ?? throw new InvalidOperationException($"DB cluster {clusterId} does not exist (any more).");

    public async Task<DBInstance?> FindInstanceAsync(string instanceId, CancellationToken cancellationToken)
    {
        try
        {
            var response = await rds.DescribeDBInstancesAsync(new DescribeDBInstancesRequest { DBInstanceIdentifier = instanceId }, cancellationToken)
                .ConfigureAwait(false);
            return response.DBInstances?.FirstOrDefault();
        }
        catch (DBInstanceNotFoundException)
        {
            return null;
        }
    }

    /// <summary>The instances among <paramref name="instanceIds"/> that exist, by identifier, from one DescribeDBInstances filtered on <c>db-instance-id</c>.</summary>
    public async Task<IReadOnlyDictionary<string, DBInstance>> FindInstancesAsync(IReadOnlyCollection<string> instanceIds, CancellationToken cancellationToken)
    {
        var request = new DescribeDBInstancesRequest
        {
            Filters = [new Filter { Name = "db-instance-id", Values = [.. instanceIds.Distinct(StringComparer.Ordinal)] }],
        };
        var found = new Dictionary<string, DBInstance>(StringComparer.Ordinal);
        await foreach (var instance in rds.DescribeDBInstancesAllAsync(request, cancellationToken).ConfigureAwait(false))
        {
            if (instance.DBInstanceIdentifier is { } id && instanceIds.Contains(id, StringComparer.Ordinal))
            {
                found[id] = instance;
            }
        }

        return found;
    }

    /// <summary>The cluster's instances, as DescribeDBInstances reports them.</summary>
    public async Task<IReadOnlyList<DBInstance>> InstancesOfAsync(string clusterId, CancellationToken cancellationToken)
    {
        var request = new DescribeDBInstancesRequest
        {
            Filters = [new Filter { Name = "db-cluster-id", Values = [clusterId] }],
        };
        var instances = new List<DBInstance>();
        await foreach (var instance in rds.DescribeDBInstancesAllAsync(request, cancellationToken).ConfigureAwait(false))
        {
            instances.Add(instance);
        }

        return instances;
    }

    /// <summary>The cluster's custom endpoints (not its writer and reader endpoints).</summary>
    public async Task<IReadOnlyList<DBClusterEndpoint>> CustomEndpointsOfAsync(string clusterId, CancellationToken cancellationToken)
    {
        var request = new DescribeDBClusterEndpointsRequest { DBClusterIdentifier = clusterId };
        var endpoints = new List<DBClusterEndpoint>();
        try
        {
            await foreach (var endpoint in rds.DescribeDBClusterEndpointsAllAsync(request, cancellationToken).ConfigureAwait(false))
            {
                if (string.Equals(endpoint.EndpointType, "CUSTOM", StringComparison.OrdinalIgnoreCase))
                {
                    endpoints.Add(endpoint);
                }
            }
        }
        catch (DBClusterNotFoundException)
        {
            return [];
        }

        return endpoints;
    }
}
