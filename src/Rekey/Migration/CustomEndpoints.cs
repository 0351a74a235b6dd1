using Rekey.Aws.RDS;
using Rekey.Aws.RDS.Model;
using Rekey.Runtime;
using Rekey.State;
using Rekey.Waiting;

namespace Rekey.Migration;

/// <summary>Custom endpoints as the fence recorded them, created again on a cluster.</summary>
public static class CustomEndpoints
{
    /// <summary>
    /// Creates the recorded custom endpoints on <paramref name="clusterId"/>, waiting for names still held by endpoints being deleted.
    /// <paramref name="clusterTags"/> are the cluster's tags when the caller has just read them; else they are read here.
    /// </summary>
    public static async Task CreateAsync(
        RekeyRun run, SourceDefinition definition, string clusterId, string step, IEnumerable<Tag>? clusterTags, CancellationToken cancellationToken)
    {
        // The endpoints carry the cluster's own tags (not Rekey's), so a role scoped by the operator's tag may later delete them.
        var tags = definition.CustomEndpoints.Count == 0
            ? []
            : CarriedSettings.UserTags(clusterTags ?? (await new Clusters.ClusterReader(run.Rds).FindClusterAsync(clusterId, cancellationToken).ConfigureAwait(false))?.TagList);
        foreach (var endpoint in definition.CustomEndpoints)
        {
            await run.Wait.UntilAsync(
                $"custom endpoint {endpoint.Name} on {clusterId}",
                run.Wait.Settings.DnsDeadline,
                async token =>
                {
                    var existing = await FindEndpointAsync(run, endpoint.Name, token).ConfigureAwait(false);
                    if (existing is not null && existing.DBClusterIdentifier == clusterId)
                    {
                        return string.Equals(existing.Status, "available", StringComparison.OrdinalIgnoreCase)
                            ? Probe<bool>.Ready(true, "available")
                            : Probe<bool>.NotYet(false, existing.Status ?? "creating");
                    }

                    if (existing is not null)
                    {
                        return Probe<bool>.NotYet(false, $"the name is still held by {existing.DBClusterIdentifier} ({existing.Status})");
                    }

                    try
                    {
                        await run.Rds.CreateDBClusterEndpointAsync(
                            new CreateDBClusterEndpointRequest
                            {
                                DBClusterIdentifier = clusterId,
                                DBClusterEndpointIdentifier = endpoint.Name,
                                EndpointType = endpoint.EndpointType,
                                StaticMembers = endpoint.StaticMembers.Count > 0 ? [.. endpoint.StaticMembers] : null,
                                ExcludedMembers = endpoint.ExcludedMembers.Count > 0 ? [.. endpoint.ExcludedMembers] : null,
                                Tags = tags.Count > 0 ? [.. tags] : null,
                            },
                            token).ConfigureAwait(false);
                        run.Journal.Add(step, $"Created custom endpoint {endpoint.Name} ({endpoint.EndpointType}) on {clusterId}.");
                    }
                    catch (DBClusterEndpointAlreadyExistsException)
                    {
                        // Held a moment longer by the deleted endpoint; look again.
                    }

                    return Probe<bool>.NotYet(false, "creating");
                },
                cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Deletes the recorded custom endpoints that <paramref name="holderClusterId"/> still has, so their names
    /// (and DNS names) can move to another cluster; a Blue/Green switchover leaves them on the old blue.
    /// </summary>
    public static async Task ReleaseFromAsync(RekeyRun run, SourceDefinition definition, string holderClusterId, string step, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(definition);
        foreach (var endpoint in definition.CustomEndpoints)
        {
            var existing = await FindEndpointAsync(run, endpoint.Name, cancellationToken).ConfigureAwait(false);
            if (existing is null || existing.DBClusterIdentifier != holderClusterId || string.Equals(existing.Status, "deleting", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            try
            {
                await run.Rds.DeleteDBClusterEndpointAsync(new DeleteDBClusterEndpointRequest { DBClusterEndpointIdentifier = endpoint.Name }, cancellationToken).ConfigureAwait(false);
                run.Journal.Add(step, $"Deleted custom endpoint {endpoint.Name} from {holderClusterId}, to create it again on the new cluster.");
            }
            catch (DBClusterEndpointNotFoundException)
            {
                // Deleted meanwhile.
            }
            catch (InvalidDBClusterEndpointStateException)
            {
                // Already being deleted.
            }
        }
    }

    private static async Task<DBClusterEndpoint?> FindEndpointAsync(RekeyRun run, string name, CancellationToken cancellationToken)
    {
        try
        {
            var response = await run.Rds.DescribeDBClusterEndpointsAsync(new DescribeDBClusterEndpointsRequest { DBClusterEndpointIdentifier = name }, cancellationToken)
                .ConfigureAwait(false);
            return response.DBClusterEndpoints?.FirstOrDefault();
        }
        catch (DBClusterEndpointNotFoundException)
        {
            return null;
        }
    }
}
