using Amazon;
using Amazon.Runtime;
using Rekey.Aws.Runtime;

namespace Rekey.Aws.ApplicationAutoScaling;

/// <summary>
/// Application Auto Scaling client on AWSSDK.Core's pipeline. Thread-safe; reuse one instance per region and credentials.
/// The operations and pagers are generated from AWS's service model (Generated/Operations.cs).
/// </summary>
public partial class AmazonApplicationAutoScalingClient : AwsServiceClient
{
    /// <summary>Credentials, region and endpoint from the SDK's default chains (environment, profile, web identity, instance role).</summary>
    public AmazonApplicationAutoScalingClient()
        : this(new AmazonApplicationAutoScalingConfig())
    {
    }

    public AmazonApplicationAutoScalingClient(RegionEndpoint region)
        : this(new AmazonApplicationAutoScalingConfig { RegionEndpoint = region })
    {
    }

    /// <summary>Credentials from the SDK's default chain; the rest from <paramref name="config"/>.</summary>
    public AmazonApplicationAutoScalingClient(AmazonApplicationAutoScalingConfig config)
        : base(config)
    {
    }

    public AmazonApplicationAutoScalingClient(AWSCredentials? credentials, AmazonApplicationAutoScalingConfig config)
        : base(credentials, config)
    {
    }

    protected override Amazon.Runtime.Internal.IServiceMetadata ServiceMetadata { get; } = new ServiceMetadata("Application Auto Scaling");
}
