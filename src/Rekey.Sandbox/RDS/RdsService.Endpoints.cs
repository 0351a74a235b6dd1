using System.Net;
using System.Xml.Linq;
using Rekey.Sandbox.Core;
using Rekey.Sandbox.Protocols;

namespace Rekey.Sandbox.RDS;

public sealed partial class RdsService
{
    private void RegisterEndpointOperations()
    {
        Register("CreateDBClusterEndpoint", mutating: true, CreateDBClusterEndpoint);
        Register("DescribeDBClusterEndpoints", mutating: false, DescribeDBClusterEndpoints);
        Register("DeleteDBClusterEndpoint", mutating: true, DeleteDBClusterEndpoint);
    }

    private IEnumerable<XElement> CreateDBClusterEndpoint(AwsRequestContext request, QueryParameters p)
    {
        var cluster = Cluster(request, p.Required("DBClusterIdentifier"));
        var identifier = ValidIdentifier("DBClusterEndpointIdentifier", p.Required("DBClusterEndpointIdentifier"));
        var type = p.Required("EndpointType").ToUpperInvariant();
        if (type is not ("READER" or "ANY"))
        {
            throw AwsServiceException.InvalidParameterValue($"Invalid endpoint type {type}: must be READER or ANY.");
        }

        // Custom endpoint names are unique per account and region until the endpoint is deleted.
        if (_state.Endpoints.Any(e => e.Account == request.Account && e.Region == request.Region && e.Identifier == identifier))
        {
            throw new AwsServiceException("DBClusterEndpointAlreadyExistsFault", $"The specified custom endpoint {identifier} already exists.");
        }

        if (cluster.Status != "available")
        {
            throw RdsErrors.InvalidClusterState($"DB cluster {cluster.Identifier} is not available (it is {cluster.Status}).");
        }

        var members = _state.InstancesOf(cluster).Select(i => i.Identifier).ToHashSet(StringComparer.Ordinal);
        var staticMembers = p.List("StaticMembers").Select(m => m.ToLowerInvariant()).ToList();
        var excludedMembers = p.List("ExcludedMembers").Select(m => m.ToLowerInvariant()).ToList();
        if (staticMembers.Count > 0 && excludedMembers.Count > 0)
        {
            throw AwsServiceException.InvalidParameterCombination("StaticMembers and ExcludedMembers can't both be specified.");
        }

        foreach (var member in staticMembers.Concat(excludedMembers).Where(m => !members.Contains(m)))
        {
            throw RdsErrors.InstanceNotFound(member);
        }

        var endpoint = new ClusterEndpoint
        {
            Account = request.Account,
            Region = request.Region,
            Identifier = identifier,
            ResourceId = "cluster-endpoint-" + RandomText.LowerAlphanumeric(26),
            ClusterResourceId = cluster.ResourceId,
            CustomEndpointType = type,
            StaticMembers = staticMembers,
            ExcludedMembers = excludedMembers,
            Tags = [.. ReadTags(p)],
            CreateTime = Now,
            Pending = new PendingTransition("create", Now + Durations.Modify),
        };
        _state.Endpoints.Add(endpoint);
        return RdsXml.CustomEndpointMembers(_state, endpoint);
    }

    private IEnumerable<XElement> DescribeDBClusterEndpoints(AwsRequestContext request, QueryParameters p)
    {
        var filters = ReadFilters(p, "db-cluster-endpoint-type", "db-cluster-endpoint-custom-type", "db-cluster-endpoint-id", "db-cluster-endpoint-status");
        IEnumerable<DbCluster> clusters = _state.Clusters.Where(c => c.Account == request.Account && c.Region == request.Region);
        if (p.Get("DBClusterIdentifier") is { } clusterIdentifier)
        {
            clusters = [Cluster(request, clusterIdentifier)];
        }

        var entries = new List<(string Type, string? Id, string? CustomType, string Status, XElement Element)>();
        foreach (var cluster in clusters.OrderBy(c => c.Identifier, StringComparer.Ordinal))
        {
            foreach (var builtIn in RdsXml.BuiltInEndpoints(cluster))
            {
                entries.Add((builtIn.Element("EndpointType")!.Value, null, null, builtIn.Element("Status")!.Value, builtIn));
            }

            foreach (var custom in _state.CustomEndpointsOf(cluster).OrderBy(e => e.Identifier, StringComparer.Ordinal))
            {
                entries.Add(("CUSTOM", custom.Identifier, custom.CustomEndpointType, custom.Status, new XElement("DBClusterEndpointList", RdsXml.CustomEndpointMembers(_state, custom))));
            }
        }

        IEnumerable<(string Type, string? Id, string? CustomType, string Status, XElement Element)> selected = entries;
        if (p.Get("DBClusterEndpointIdentifier") is { } endpointIdentifier)
        {
            selected = selected.Where(e => e.Id == endpointIdentifier.ToLowerInvariant());
        }

        foreach (var (name, values) in filters)
        {
            selected = name switch
            {
                "db-cluster-endpoint-type" => selected.Where(e => values.Contains(e.Type, StringComparer.OrdinalIgnoreCase)),
                "db-cluster-endpoint-custom-type" => selected.Where(e => e.CustomType is not null && values.Contains(e.CustomType, StringComparer.OrdinalIgnoreCase)),
                "db-cluster-endpoint-id" => selected.Where(e => e.Id is not null && values.Contains(e.Id)),
                "db-cluster-endpoint-status" => selected.Where(e => values.Contains(e.Status, StringComparer.OrdinalIgnoreCase)),
                _ => selected.Where(_ => false),
            };
        }

        var (page, marker) = Paginate(p, selected.Select(e => e.Element));
        return [new XElement("DBClusterEndpoints", page), .. marker is null ? [] : new[] { marker }];
    }

    private IEnumerable<XElement> DeleteDBClusterEndpoint(AwsRequestContext request, QueryParameters p)
    {
        var identifier = p.Required("DBClusterEndpointIdentifier").ToLowerInvariant();
        var endpoint = _state.Endpoints.FirstOrDefault(e => e.Account == request.Account && e.Region == request.Region && e.Identifier == identifier)
            ?? throw new AwsServiceException("DBClusterEndpointNotFoundFault", $"The specified custom endpoint {identifier} doesn't exist.", HttpStatusCode.BadRequest);
        if (endpoint.Status != "available")
        {
            throw new AwsServiceException("InvalidDBClusterEndpointStateFault", $"The custom endpoint {identifier} is {endpoint.Status}.");
        }

        _state.RetireCustomEndpointName(endpoint, Now + _state.DnsDelay);
        endpoint.Status = "deleting";
        endpoint.Pending = new PendingTransition("delete", Now + Durations.Modify);
        return RdsXml.CustomEndpointMembers(_state, endpoint);
    }
}
