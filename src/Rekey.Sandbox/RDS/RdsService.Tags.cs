using System.Net;
using System.Xml.Linq;
using Rekey.Sandbox.Protocols;

namespace Rekey.Sandbox.RDS;

/// <summary>Tags on RDS resources, named by ARN.</summary>
public sealed partial class RdsService
{
    private void RegisterTagOperations()
    {
        Register("AddTagsToResource", mutating: true, AddTagsToResource);
        Register("RemoveTagsFromResource", mutating: true, RemoveTagsFromResource);
        Register("ListTagsForResource", mutating: false, ListTagsForResource);
    }

    private List<RdsTag> TagsOf(AwsRequestContext request, string arn)
    {
        var parts = arn.Split(':');
        if (parts.Length != 7 || parts[0] != "arn" || parts[2] != "rds" || parts[3] != request.Region || parts[4] != request.Account)
        {
            throw AwsServiceException.InvalidParameterValue($"The specified resource name {arn} does not match an RDS resource in this region.");
        }

        var identifier = parts[6];
        return parts[5] switch
        {
            "db-proxy" => (_state.Proxies.FirstOrDefault(x => x.Account == request.Account && x.Region == request.Region && x.ResourceId == identifier)
                ?? throw new AwsServiceException("DBProxyNotFoundFault", $"DB proxy {identifier} not found.", HttpStatusCode.NotFound)).Tags,
            "cluster" => (_state.FindCluster(request.Account, request.Region, identifier) ?? throw RdsErrors.ClusterNotFound(identifier)).Tags,
            "db" => (_state.FindInstance(request.Account, request.Region, identifier) ?? throw RdsErrors.InstanceNotFound(identifier)).Tags,
            "cluster-endpoint" => (_state.Endpoints.FirstOrDefault(e => e.Account == request.Account && e.Region == request.Region && e.Identifier == identifier)
                ?? throw new AwsServiceException("DBClusterEndpointNotFoundFault", $"The specified custom endpoint {identifier} doesn't exist.")).Tags,
            "cluster-snapshot" => (_state.Snapshots.FirstOrDefault(s => s.Account == request.Account && s.Region == request.Region && s.Identifier == identifier)
                ?? throw new AwsServiceException("DBSnapshotNotFound", $"DBClusterSnapshot {identifier} not found.", HttpStatusCode.NotFound)).Tags,
            "deployment" => (_state.BlueGreenDeployments.FirstOrDefault(d => d.Arn == arn) ?? throw DeploymentNotFound(identifier)).Tags,
            "cluster-pg" or "pg" => (_state.ParameterGroups.FirstOrDefault(g => g.Arn == arn)
                ?? throw new AwsServiceException("DBParameterGroupNotFound", $"Parameter group {identifier} not found.", HttpStatusCode.NotFound)).Tags,
            _ => throw AwsServiceException.InvalidParameterValue($"The sandbox does not tag RDS resources of type {parts[5]}."),
        };
    }

    private IEnumerable<XElement> AddTagsToResource(AwsRequestContext request, QueryParameters p)
    {
        var existing = TagsOf(request, p.Required("ResourceName"));
        var tags = ReadTags(p).ToList();
        if (tags.Count == 0)
        {
            throw AwsServiceException.MissingParameter("Tags");
        }

        foreach (var tag in tags)
        {
            existing.RemoveAll(t => t.Key == tag.Key);
            existing.Add(tag);
        }

        if (existing.Count > 50)
        {
            throw new AwsServiceException("TagQuotaExceeded", "A resource can have at most 50 tags.");
        }

        return [];
    }

    private IEnumerable<XElement> RemoveTagsFromResource(AwsRequestContext request, QueryParameters p)
    {
        var keys = p.List("TagKeys");
        TagsOf(request, p.Required("ResourceName")).RemoveAll(t => keys.Contains(t.Key));
        return [];
    }

    private IEnumerable<XElement> ListTagsForResource(AwsRequestContext request, QueryParameters p) =>
        [RdsXml.Tags(TagsOf(request, p.Required("ResourceName")))];
}
