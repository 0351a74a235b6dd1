using Amazon;
using Amazon.Runtime;
using Rekey.Aws.Runtime;

namespace Rekey.Aws.RDS;

/// <summary>
/// Amazon RDS client on AWSSDK.Core's pipeline. Thread-safe; reuse one instance per region and credentials.
/// The operations and pagers are generated from AWS's service model (Generated/Operations.cs).
/// </summary>
public partial class AmazonRDSClient : AwsServiceClient
{
    /// <summary>Credentials, region and endpoint from the SDK's default chains (environment, profile, web identity, instance role).</summary>
    public AmazonRDSClient()
        : this(new AmazonRDSConfig())
    {
    }

    public AmazonRDSClient(RegionEndpoint region)
        : this(new AmazonRDSConfig { RegionEndpoint = region })
    {
    }

    /// <summary>Credentials from the SDK's default chain; the rest from <paramref name="config"/>.</summary>
    public AmazonRDSClient(AmazonRDSConfig config)
        : base(config)
    {
    }

    public AmazonRDSClient(AWSCredentials? credentials, AmazonRDSConfig config)
        : base(credentials, config)
    {
    }

    protected override Amazon.Runtime.Internal.IServiceMetadata ServiceMetadata { get; } = new ServiceMetadata("RDS");
}
