using Amazon;
using Amazon.Runtime;
using Rekey.Aws.Runtime;

namespace Rekey.Aws.CloudWatch;

/// <summary>
/// Amazon CloudWatch client on AWSSDK.Core's pipeline. Thread-safe; reuse one instance per region and credentials.
/// The operations and pagers are generated from AWS's service model (Generated/Operations.cs).
/// </summary>
public partial class AmazonCloudWatchClient : AwsServiceClient
{
    /// <summary>Credentials, region and endpoint from the SDK's default chains (environment, profile, web identity, instance role).</summary>
    public AmazonCloudWatchClient()
        : this(new AmazonCloudWatchConfig())
    {
    }

    public AmazonCloudWatchClient(RegionEndpoint region)
        : this(new AmazonCloudWatchConfig { RegionEndpoint = region })
    {
    }

    /// <summary>Credentials from the SDK's default chain; the rest from <paramref name="config"/>.</summary>
    public AmazonCloudWatchClient(AmazonCloudWatchConfig config)
        : base(config)
    {
    }

    public AmazonCloudWatchClient(AWSCredentials? credentials, AmazonCloudWatchConfig config)
        : base(credentials, config)
    {
    }

    protected override Amazon.Runtime.Internal.IServiceMetadata ServiceMetadata { get; } = new ServiceMetadata("CloudWatch");
}
