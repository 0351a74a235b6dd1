using Amazon;
using Amazon.Runtime;
using Rekey.Aws.Runtime;

namespace Rekey.Aws.Organizations;

/// <summary>
/// AWS Organizations client on AWSSDK.Core's pipeline. A global service: the region only picks the partition. Thread-safe; reuse one instance per partition and credentials.
/// The operations and pagers are generated from AWS's service model (Generated/Operations.cs).
/// </summary>
public partial class AmazonOrganizationsClient : AwsServiceClient
{
    /// <summary>Credentials, region and endpoint from the SDK's default chains (environment, profile, web identity, instance role).</summary>
    public AmazonOrganizationsClient()
        : this(new AmazonOrganizationsConfig())
    {
    }

    /// <summary>The global endpoint of <paramref name="region"/>'s partition; requests are signed for the partition's global signing region.</summary>
    public AmazonOrganizationsClient(RegionEndpoint region)
        : this(new AmazonOrganizationsConfig { RegionEndpoint = region })
    {
    }

    /// <summary>Credentials from the SDK's default chain; the rest from <paramref name="config"/>.</summary>
    public AmazonOrganizationsClient(AmazonOrganizationsConfig config)
        : base(config)
    {
    }

    public AmazonOrganizationsClient(AWSCredentials? credentials, AmazonOrganizationsConfig config)
        : base(credentials, config)
    {
    }

    protected override Amazon.Runtime.Internal.IServiceMetadata ServiceMetadata { get; } = new ServiceMetadata("Organizations");
}
