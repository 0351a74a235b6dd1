using System.Net;
using System.Xml.Linq;
using Rekey.Sandbox.Protocols;
using static Rekey.Sandbox.Protocols.QueryXml;

namespace Rekey.Sandbox.RDS;

/// <summary>Global clusters: read only; a cluster joins one when it is created with GlobalClusterIdentifier.</summary>
public sealed partial class RdsService
{
    private void RegisterGlobalClusterOperations()
    {
        Register("DescribeGlobalClusters", mutating: false, DescribeGlobalClusters);
    }

    private IEnumerable<XElement> DescribeGlobalClusters(AwsRequestContext request, QueryParameters p)
    {
        IEnumerable<GlobalCluster> globals = _state.GlobalClusters.Where(g => g.Account == request.Account);
        if (p.Get("GlobalClusterIdentifier") is { } identifier)
        {
            globals = [globals.FirstOrDefault(g => g.Identifier == identifier)
                ?? throw new AwsServiceException("GlobalClusterNotFoundFault", $"Global cluster {identifier} not found.", HttpStatusCode.NotFound)];
        }

        var (page, marker) = Paginate(p, globals.OrderBy(g => g.Identifier, StringComparer.Ordinal));
        return
        [
            List("GlobalClusters", "GlobalClusterMember", page, g => new object?[]
            {
                new XElement("GlobalClusterIdentifier", g.Identifier),
                new XElement("GlobalClusterResourceId", g.ResourceId),
                new XElement("GlobalClusterArn", g.Arn),
                new XElement("Status", "available"),
                new XElement("Engine", g.Engine),
                new XElement("EngineVersion", g.EngineVersion),
                new XElement("StorageEncrypted", Bool(g.StorageEncrypted)),
                new XElement("DeletionProtection", Bool(false)),
                List("GlobalClusterMembers", "GlobalClusterMember", g.MemberResourceIds.Select(_state.ClusterByResourceId).OfType<DbCluster>(), c => new object[]
                {
                    new XElement("DBClusterArn", c.Arn),
                    new XElement("Readers"),
                    new XElement("IsWriter", Bool(c.ResourceId == g.WriterResourceId)),
                }),
            }),
            .. marker is null ? [] : new[] { marker },
        ];
    }
}
