using Amazon;
using Amazon.Runtime;
using Rekey.Aws.Runtime;

namespace Rekey.Aws.Backup;

/// <summary>
/// AWS Backup client on AWSSDK.Core's pipeline. Thread-safe; reuse one instance per region and credentials.
/// The operations and pagers are generated from AWS's service model (Generated/Operations.cs).
/// </summary>
public partial class AmazonBackupClient : AwsServiceClient
{
    /// <summary>Credentials, region and endpoint from the SDK's default chains (environment, profile, web identity, instance role).</summary>
    public AmazonBackupClient()
        : this(new AmazonBackupConfig())
    {
    }

    public AmazonBackupClient(RegionEndpoint region)
        : this(new AmazonBackupConfig { RegionEndpoint = region })
    {
    }

    /// <summary>Credentials from the SDK's default chain; the rest from <paramref name="config"/>.</summary>
    public AmazonBackupClient(AmazonBackupConfig config)
        : base(config)
    {
    }

    public AmazonBackupClient(AWSCredentials? credentials, AmazonBackupConfig config)
        : base(credentials, config)
    {
    }

    protected override Amazon.Runtime.Internal.IServiceMetadata ServiceMetadata { get; } = new ServiceMetadata("Backup");
}
