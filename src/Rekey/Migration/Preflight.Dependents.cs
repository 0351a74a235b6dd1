using Rekey.Aws.RDS.Model;
using Rekey.Clusters;
using Rekey.Runtime;

namespace Rekey.Migration;
/// <summary>What depends on the cluster and the names the old cluster and instances will take.</summary>
public static partial class Preflight
{
    private static async Task CheckOldNamesAsync(
        RekeyRun run, ClusterReader reader, DBCluster cluster, IReadOnlyList<DBInstance> instances, List<string> blocks, CancellationToken cancellationToken)
    {
        var oldCluster = run.OldClusterId;
        if (oldCluster.Length > MaxIdentifierLength)
        {
            blocks.Add($"The old cluster's name {oldCluster} would be {oldCluster.Length} characters; RDS allows {MaxIdentifierLength}. Give a shorter --old-suffix.");
        }
        else if (await reader.FindClusterAsync(oldCluster, cancellationToken).ConfigureAwait(false) is not null)
        {
            blocks.Add($"The old cluster's name {oldCluster} is taken by another cluster. Give another --old-suffix, or delete or rename that cluster.");
        }

        foreach (var instance in instances)
        {
            var oldName = run.OldNameOf(instance.DBInstanceIdentifier!);
            if (oldName.Length > MaxIdentifierLength)
            {
                blocks.Add($"Instance {instance.DBInstanceIdentifier}'s old name {oldName} would be {oldName.Length} characters; RDS allows {MaxIdentifierLength}. Give a shorter --old-suffix.");
            }
            else if (await reader.FindInstanceAsync(oldName, cancellationToken).ConfigureAwait(false) is not null)
            {
                blocks.Add($"Instance {instance.DBInstanceIdentifier}'s old name {oldName} is taken by another instance. Give another --old-suffix.");
            }
        }

        if (instances.Count == 0)
        {
            blocks.Add($"DB cluster {cluster.DBClusterIdentifier} has no instances; there is no writer to fence.");
        }
    }

    private static async Task CheckGlobalClusterAsync(RekeyRun run, DBCluster cluster, List<string> blocks, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrEmpty(cluster.GlobalClusterIdentifier))
        {
            blocks.Add($"DB cluster {cluster.DBClusterIdentifier} is a member of global cluster {cluster.GlobalClusterIdentifier}; remove it from the global cluster first.");
            return;
        }

        await foreach (var global in run.Rds.DescribeGlobalClustersAllAsync(new DescribeGlobalClustersRequest(), cancellationToken).ConfigureAwait(false))
        {
            if (global.GlobalClusterMembers?.Any(m => string.Equals(m.DBClusterArn, cluster.DBClusterArn, StringComparison.Ordinal)) == true)
            {
                blocks.Add($"DB cluster {cluster.DBClusterIdentifier} is a member of global cluster {global.GlobalClusterIdentifier}; remove it from the global cluster first.");
            }
        }
    }

    private static async Task WarnAboutDependentsAsync(RekeyRun run, DBCluster cluster, List<string> warnings, CancellationToken cancellationToken)
    {
        await foreach (var proxy in run.Rds.DescribeDBProxiesAllAsync(new DescribeDBProxiesRequest(), cancellationToken).ConfigureAwait(false))
        {
            var targets = run.Rds.DescribeDBProxyTargetsAllAsync(new DescribeDBProxyTargetsRequest { DBProxyName = proxy.DBProxyName }, cancellationToken);
            await foreach (var target in targets.ConfigureAwait(false))
            {
                if (string.Equals(target.TrackedClusterId, cluster.DBClusterIdentifier, StringComparison.Ordinal)
                    || string.Equals(target.RdsResourceId, cluster.DBClusterIdentifier, StringComparison.Ordinal))
                {
                    warnings.Add($"RDS Proxy {proxy.DBProxyName} targets this cluster; Finalize registers the new cluster with it, and connections through the proxy drop at the fence.");
                    break;
                }
            }
        }

        var subscriptions = run.Rds.DescribeEventSubscriptionsAllAsync(new DescribeEventSubscriptionsRequest(), cancellationToken);
        await foreach (var subscription in subscriptions.ConfigureAwait(false))
        {
            if (subscription.SourceIdsList?.Contains(cluster.DBClusterIdentifier!, StringComparer.Ordinal) == true)
            {
                warnings.Add($"Event subscription {subscription.CustSubscriptionId} names this cluster; it follows the identifier, "
                    + "so it covers the new cluster after the cutover and no longer the old one.");
            }
        }
    }

    /// <summary>Every zero-ETL integration whose source is the cluster blocks the cutover (see <see cref="ZeroEtlIntegrations"/>).</summary>
    private static async Task CheckIntegrationsAsync(RekeyRun run, DBCluster cluster, List<string> blocks, CancellationToken cancellationToken)
    {
        // Listed whole and matched by SourceArn: RDS documents no filter name for an integration's source.
        await foreach (var integration in run.Rds.DescribeIntegrationsAllAsync(new DescribeIntegrationsRequest(), cancellationToken).ConfigureAwait(false))
        {
            if (string.Equals(integration.SourceArn, cluster.DBClusterArn, StringComparison.Ordinal))
            {
                blocks.Add(ZeroEtlIntegrations.Block(integration, cluster.DBClusterIdentifier!, cluster.DBClusterArn!));
            }
        }
    }
}
