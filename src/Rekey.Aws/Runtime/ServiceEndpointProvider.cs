using System.Text.Json;
using Amazon.Runtime;
using Amazon.Runtime.Endpoints;
using Amazon.Runtime.Internal.Endpoints.StandardLibrary;

namespace Rekey.Aws.Runtime;

/// <summary>
/// The endpoint rules AWS publishes for these services, reduced to what they say: a custom endpoint
/// wins, otherwise https://&lt;prefix&gt;[-fips].&lt;region&gt;.&lt;partition DNS suffix&gt;. The endpoint names
/// its SigV4 scheme so a loopback or custom endpoint is still signed for the configured region and
/// the service's signing name.
/// </summary>
public sealed class ServiceEndpointProvider(AwsServiceDescriptor service) : IEndpointProvider
{
    public Endpoint ResolveEndpoint(EndpointParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var region = parameters["Region"] as string;
        var useFips = Equals(parameters["UseFIPS"], true);
        var useDualStack = Equals(parameters["UseDualStack"], true);
        if (parameters["Endpoint"] is string custom && !string.IsNullOrEmpty(custom))
        {
            if (useFips)
            {
                throw new AmazonClientException("Invalid Configuration: FIPS and custom endpoint are not supported");
            }

            if (useDualStack)
            {
                throw new AmazonClientException("Invalid Configuration: Dualstack and custom endpoint are not supported");
            }

            return Create(custom, region);
        }

        if (string.IsNullOrEmpty(region))
        {
            throw new AmazonClientException("Invalid Configuration: Missing Region");
        }

        var partition = Fn.Partition(region)
            ?? throw new AmazonClientException($"Invalid Configuration: no partition for region {region}");
        if (useFips && !Equals(Fn.GetAttr(partition, "supportsFIPS"), true))
        {
            throw new AmazonClientException("FIPS is enabled but this partition does not support FIPS");
        }

        if (useDualStack && !Equals(Fn.GetAttr(partition, "supportsDualStack"), true))
        {
            throw new AmazonClientException("DualStack is enabled but this partition does not support DualStack");
        }

        var suffix = (string)Fn.GetAttr(partition, useDualStack ? "dualStackDnsSuffix" : "dnsSuffix");
        var host = service.EndpointPrefix + (useFips ? "-fips" : string.Empty);
        return Create($"https://{host}.{region}.{suffix}", region);
    }

    private Endpoint Create(string url, string? region)
    {
        var scheme = new Dictionary<string, object?> { ["name"] = "sigv4", ["signingName"] = service.SigningName };
        if (!string.IsNullOrEmpty(region))
        {
            scheme["signingRegion"] = region;
        }

        var attributes = JsonSerializer.Serialize(new Dictionary<string, object> { ["authSchemes"] = new[] { scheme } });
        return new Endpoint(url, attributes, "{}");
    }
}
