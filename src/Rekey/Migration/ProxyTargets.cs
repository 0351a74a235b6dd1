using Microsoft.Extensions.Logging;
using Rekey.Aws.RDS.Model;
using Rekey.Runtime;

namespace Rekey.Migration;

/// <summary>
/// RDS Proxy targets name clusters by identifier; a cutover (and a rollback) moves the proxies that
/// targeted one identifier to the other.
/// </summary>
public static class ProxyTargets
{
    /// <summary>Moves RDS Proxy targets from one cluster identifier to another (the cutover, or back in a rollback).</summary>
    public static async Task MoveAsync(RekeyRun run, string fromClusterId, string toClusterId, string step, CancellationToken cancellationToken)
    {
        await foreach (var proxy in run.Rds.DescribeDBProxiesAllAsync(new DescribeDBProxiesRequest(), cancellationToken).ConfigureAwait(false))
        {
            var targets = new List<DBProxyTarget>();
            await foreach (var target in run.Rds.DescribeDBProxyTargetsAllAsync(new DescribeDBProxyTargetsRequest { DBProxyName = proxy.DBProxyName }, cancellationToken).ConfigureAwait(false))
            {
                targets.Add(target);
            }

            var clusterTargets = targets.Where(t => string.Equals(t.Type, TargetType.TrackedCluster, StringComparison.OrdinalIgnoreCase) || t.TrackedClusterId is not null).ToList();
            if (!clusterTargets.Any(t => t.TrackedClusterId == fromClusterId) || clusterTargets.Any(t => t.TrackedClusterId == toClusterId))
            {
                continue;
            }

            await run.Rds.DeregisterDBProxyTargetsAsync(
                new DeregisterDBProxyTargetsRequest { DBProxyName = proxy.DBProxyName, DBClusterIdentifiers = [fromClusterId] }, cancellationToken).ConfigureAwait(false);
            await run.Rds.RegisterDBProxyTargetsAsync(
                new RegisterDBProxyTargetsRequest { DBProxyName = proxy.DBProxyName, DBClusterIdentifiers = [toClusterId] }, cancellationToken).ConfigureAwait(false);
            run.Journal.Add(step, $"RDS Proxy {proxy.DBProxyName} now targets {toClusterId} instead of {fromClusterId}.");
            run.Log.LogInformation("RDS Proxy {Proxy}: {From} -> {To}", proxy.DBProxyName, fromClusterId, toClusterId);
        }
    }
}
