using System.Net;
using System.Xml.Linq;
using Rekey.Sandbox.Protocols;
using static Rekey.Sandbox.Protocols.QueryXml;

namespace Rekey.Sandbox.RDS;

/// <summary>
/// EnableHttpEndpoint and DisableHttpEndpoint: the RDS Data API of an Aurora provisioned cluster (ModifyDBCluster's
/// EnableHttpEndpoint does the same). The Data API itself is served by DataPlane/DataApiService.
/// </summary>
public sealed partial class RdsService
{
    private void RegisterHttpEndpointOperations()
    {
        Register("EnableHttpEndpoint", mutating: true, (request, p) => SetHttpEndpoint(request, p, enabled: true));
        Register("DisableHttpEndpoint", mutating: true, (request, p) => SetHttpEndpoint(request, p, enabled: false));
    }

    private IEnumerable<XElement> SetHttpEndpoint(AwsRequestContext request, QueryParameters p, bool enabled)
    {
        var arn = p.Required("ResourceArn");
        var cluster = _state.FindCluster(request.Account, request.Region, arn)
            ?? throw new AwsServiceException("ResourceNotFoundFault", $"The specified resource ID {arn} was not found.", HttpStatusCode.NotFound);
        if (cluster.Status != "available")
        {
            throw new AwsServiceException("InvalidResourceStateFault", $"DB cluster {cluster.Identifier} is {cluster.Status}: another operation is in progress.");
        }

        cluster.HttpEndpointEnabled = enabled;
        return [new XElement("ResourceArn", cluster.Arn), new XElement("HttpEndpointEnabled", Bool(enabled))];
    }
}
