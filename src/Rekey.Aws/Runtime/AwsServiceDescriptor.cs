namespace Rekey.Aws.Runtime;

/// <summary>What distinguishes one AWS service for the shared runtime plumbing.</summary>
/// <param name="ServiceId">AWS's service id ("RDS"); the SDK derives AWS_ENDPOINT_URL_&lt;ID&gt; from it.</param>
/// <param name="EndpointPrefix">The host prefix of the service's endpoints ("rds", "monitoring", "iam").</param>
/// <param name="SigningName">The SigV4 credential scope service name.</param>
/// <param name="ApiVersion">The model's apiVersion.</param>
public sealed record AwsServiceDescriptor(string ServiceId, string EndpointPrefix, string SigningName, string ApiVersion)
{
    /// <summary>
    /// Where the service's endpoint rules send a request that no <see cref="GlobalEndpoints"/> entry
    /// matches: to the configured region (most services, and Organizations outside the partitions it
    /// lists) or to one endpoint for the whole partition (IAM).
    /// </summary>
    public EndpointScope Scope { get; init; } = EndpointScope.Regional;

    /// <summary>
    /// The endpoints the service's rules name for a whole partition (and FIPS / dual-stack variant),
    /// whatever the region: a global service's one endpoint there. Empty for regional services.
    /// </summary>
    public IReadOnlyList<GlobalEndpoint> GlobalEndpoints { get; init; } = [];

    /// <summary>
    /// Where the service's endpoint rules serve FIPS requests from the standard host
    /// (https://rds.us-gov-east-1.amazonaws.com) rather than a -fips one, because that host is FIPS
    /// validated itself. Empty when every FIPS endpoint is &lt;prefix&gt;-fips.
    /// </summary>
    public IReadOnlyList<FipsOnStandardHost> FipsOnStandardHosts { get; init; } = [];
}

/// <summary>Whether a service's default endpoint belongs to a region or to a whole partition.</summary>
public enum EndpointScope
{
    /// <summary>https://&lt;prefix&gt;[-fips].&lt;region&gt;.&lt;DNS suffix&gt;, signed for that region.</summary>
    Regional,

    /// <summary>
    /// https://&lt;prefix&gt;[-fips].&lt;DNS suffix&gt; (iam.amazonaws.com), signed for the partition's implicit
    /// global region (us-east-1 in aws).
    /// </summary>
    Partition,
}

/// <summary>
/// The one endpoint a global service has in a partition for one variant, as its endpoint rules name
/// it, and the region requests to it are signed for.
/// </summary>
/// <param name="Partition">The partition's name: aws, aws-cn, aws-us-gov, aws-iso, ...</param>
/// <param name="Host">The endpoint's host name.</param>
/// <param name="SigningRegion">The SigV4 credential scope region for every request to it.</param>
/// <param name="Fips">The entry serves UseFIPS requests.</param>
/// <param name="DualStack">The entry serves UseDualStack requests.</param>
public sealed record GlobalEndpoint(string Partition, string Host, string SigningRegion, bool Fips = false, bool DualStack = false);

/// <summary>
/// A partition, or one region of it, whose FIPS endpoint for the service is the standard host, as the
/// service's endpoint rules name it.
/// </summary>
/// <param name="Partition">The partition's name: aws-us-gov, ...</param>
/// <param name="Region">Only this region, when the rules name regions rather than the whole partition.</param>
/// <param name="DualStack">The entry serves UseDualStack requests (the dual-stack standard host).</param>
/// <param name="ChecksPartitionSupport">
/// The rules send requests here only once the partition says it supports FIPS (and dual-stack); false
/// where the rule comes before those checks (CloudWatch).
/// </param>
public sealed record FipsOnStandardHost(string Partition, string? Region = null, bool DualStack = false, bool ChecksPartitionSupport = true)
{
    internal bool Serves(string partition, string region, bool useDualStack) =>
        Partition == partition && (Region == null || Region == region) && DualStack == useDualStack;
}
