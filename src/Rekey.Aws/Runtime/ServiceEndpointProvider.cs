using System.Text.Json;
using Amazon.Runtime;
using Amazon.Runtime.Endpoints;
using Amazon.Runtime.Internal.Endpoints.StandardLibrary;

namespace Rekey.Aws.Runtime;

/// <summary>
/// The endpoint rules AWS publishes for these services, reduced to what they say: a custom endpoint
/// wins; otherwise the partition's global endpoint when the service has one
/// (<see cref="AwsServiceDescriptor.GlobalEndpoints"/>), else https://&lt;prefix&gt;[-fips].&lt;region&gt;.&lt;partition DNS suffix&gt;
/// (or https://&lt;prefix&gt;[-fips].&lt;partition DNS suffix&gt; for a partition-wide service), without -fips
/// where the rules serve FIPS from the standard host (<see cref="AwsServiceDescriptor.FipsOnStandardHosts"/>);
/// FIPS or dual-stack in a partition that lacks it is refused with the rules' message. The endpoint
/// names its SigV4 scheme so a loopback or custom endpoint is still signed for the region and signing
/// name the real endpoint expects.
/// </summary>
public sealed class ServiceEndpointProvider : IEndpointProvider
{
    private readonly AwsServiceDescriptor service;
    private readonly Func<string, Partition?> partitionOf;

    public ServiceEndpointProvider(AwsServiceDescriptor service)
        : this(service, Fn.Partition)
    {
    }

    /// <summary>With other partition data than the SDK's: partitions that lack FIPS or dual-stack, to check the refusals.</summary>
    internal ServiceEndpointProvider(AwsServiceDescriptor service, Func<string, Partition?> partitionOf)
    {
        this.service = service;
        this.partitionOf = partitionOf;
    }

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
        var partition = partitionOf(region)
            ?? throw new AmazonClientException($"Invalid Configuration: no partition for region {region}");
        var global = service.GlobalEndpoints.FirstOrDefault(e => e.Partition == partition.name && e.Fips == useFips && e.DualStack == useDualStack);
        if (global != null)
        {
            return (global.Host, global.SigningRegion);
        }

        var standardHost = useFips ? service.FipsOnStandardHosts.FirstOrDefault(e => e.Serves(partition.name, region, useDualStack)) : null;
        if (standardHost is not { ChecksPartitionSupport: false })
        {
            CheckPartitionSupport(partition, useFips, useDualStack);
        }

        var suffix = useDualStack ? partition.dualStackDnsSuffix : partition.dnsSuffix;
        var prefix = service.EndpointPrefix + (useFips && standardHost == null ? "-fips" : string.Empty);
        return service.Scope == EndpointScope.Partition
            ? ($"{prefix}.{suffix}", partition.implicitGlobalRegion)
            : ($"{prefix}.{region}.{suffix}", region);
    }

    // The rules' checks, in the rules' order, with the rules' messages.
    private static void CheckPartitionSupport(Partition partition, bool useFips, bool useDualStack)
    {
        if (useFips && useDualStack && !(partition.supportsFIPS && partition.supportsDualStack))
        {
            throw new AmazonClientException("FIPS and DualStack are enabled, but this partition does not support one or both");
        }

        if (useFips && !partition.supportsFIPS)
        {
            throw new AmazonClientException("FIPS is enabled but this partition does not support FIPS");
        }

        if (useDualStack && !partition.supportsDualStack)
        {
            throw new AmazonClientException("DualStack is enabled but this partition does not support DualStack");
        }
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
