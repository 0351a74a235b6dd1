using System.Text.Json;
using Amazon.Runtime;
using Amazon.Runtime.Endpoints;
using Amazon.Runtime.Internal.Endpoints.StandardLibrary;

namespace Rekey.Aws.Runtime;

/// <summary>
/// The endpoint rules AWS publishes for these services, reduced to what they say: a custom endpoint
/// wins; otherwise the partition's global endpoint when the service has one
/// (<see cref="AwsServiceDescriptor.GlobalEndpoints"/>), else https://&lt;prefix&gt;[-fips].&lt;region&gt;.&lt;partition DNS suffix&gt;
/// (or https://&lt;prefix&gt;[-fips].&lt;partition DNS suffix&gt; for a partition-wide service). The endpoint
/// names its SigV4 scheme so a loopback or custom endpoint is still signed for the region and signing
/// name the real endpoint expects.
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

            // Signed as the service's own endpoint for that region would be: a proxy or VPC endpoint in
            // front of a global service forwards to an endpoint that checks that scope.
            return Create(custom, string.IsNullOrEmpty(region) ? null : SigningRegion(region));
        }

        if (string.IsNullOrEmpty(region))
        {
            throw new AmazonClientException("Invalid Configuration: Missing Region");
        }

        var (host, signingRegion) = Resolve(region, useFips, useDualStack);
        return Create("https://" + host, signingRegion);
    }

    /// <summary>The region requests for <paramref name="region"/> are signed for: the partition's global signing region for a global service.</summary>
    public string SigningRegion(string region) => Resolve(region, useFips: false, useDualStack: false).SigningRegion;

    private (string Host, string SigningRegion) Resolve(string region, bool useFips, bool useDualStack)
    {
        var partition = Fn.Partition(region)
            ?? throw new AmazonClientException($"Invalid Configuration: no partition for region {region}");
        var partitionName = (string)Fn.GetAttr(partition, "name");
        var global = service.GlobalEndpoints.FirstOrDefault(e => e.Partition == partitionName && e.Fips == useFips && e.DualStack == useDualStack);
        if (global != null)
        {
            return (global.Host, global.SigningRegion);
        }

        if (useFips && !Equals(Fn.GetAttr(partition, "supportsFIPS"), true))
        {
            throw new AmazonClientException("FIPS is enabled but this partition does not support FIPS");
        }

        if (useDualStack && !Equals(Fn.GetAttr(partition, "supportsDualStack"), true))
        {
            throw new AmazonClientException("DualStack is enabled but this partition does not support DualStack");
        }

        var suffix = (string)Fn.GetAttr(partition, useDualStack ? "dualStackDnsSuffix" : "dnsSuffix");
        var prefix = service.EndpointPrefix + (useFips ? "-fips" : string.Empty);
        return service.Scope == EndpointScope.Partition
            ? ($"{prefix}.{suffix}", (string)Fn.GetAttr(partition, "implicitGlobalRegion"))
            : ($"{prefix}.{region}.{suffix}", region);
    }

    private Endpoint Create(string url, string? signingRegion)
    {
        var scheme = new Dictionary<string, object?> { ["name"] = "sigv4", ["signingName"] = service.SigningName };
        if (!string.IsNullOrEmpty(signingRegion))
        {
            scheme["signingRegion"] = signingRegion;
        }

        var attributes = JsonSerializer.Serialize(new Dictionary<string, object> { ["authSchemes"] = new[] { scheme } });
        return new Endpoint(url, attributes, "{}");
    }
}
