using Amazon;
using Amazon.Runtime;
using Rekey.Aws.Runtime;

namespace Rekey.Aws.SNS;

/// <summary>
/// Amazon SNS client on AWSSDK.Core's pipeline. Thread-safe; reuse one instance per region and credentials.
/// The operations and pagers are generated from AWS's service model (Generated/Operations.cs).
/// </summary>
public partial class AmazonSimpleNotificationServiceClient : AwsServiceClient
{
    /// <summary>Credentials, region and endpoint from the SDK's default chains (environment, profile, web identity, instance role).</summary>
    public AmazonSimpleNotificationServiceClient()
        : this(new AmazonSimpleNotificationServiceConfig())
    {
    }

    public AmazonSimpleNotificationServiceClient(RegionEndpoint region)
        : this(new AmazonSimpleNotificationServiceConfig { RegionEndpoint = region })
    {
    }

    /// <summary>Credentials from the SDK's default chain; the rest from <paramref name="config"/>.</summary>
    public AmazonSimpleNotificationServiceClient(AmazonSimpleNotificationServiceConfig config)
        : base(config)
    {
    }

    public AmazonSimpleNotificationServiceClient(AWSCredentials? credentials, AmazonSimpleNotificationServiceConfig config)
        : base(credentials, config)
    {
    }

    protected override Amazon.Runtime.Internal.IServiceMetadata ServiceMetadata { get; } = new ServiceMetadata("SNS");
}
