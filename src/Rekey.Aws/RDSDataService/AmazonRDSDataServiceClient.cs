using Amazon;
using Amazon.Runtime;
using Rekey.Aws.Runtime;

namespace Rekey.Aws.RDSDataService;

/// <summary>
/// RDS Data API client (REST-JSON) on AWSSDK.Core's pipeline: SQL on an Aurora cluster through AWS's HTTPS endpoint,
/// authenticated by a Secrets Manager secret, with no network path into the cluster's VPC. Thread-safe.
/// The operations are generated from AWS's service model (Generated/Operations.cs).
/// </summary>
public partial class AmazonRDSDataServiceClient : AwsServiceClient
{
    /// <summary>Credentials, region and endpoint from the SDK's default chains (environment, profile, web identity, instance role).</summary>
    public AmazonRDSDataServiceClient()
        : this(new AmazonRDSDataServiceConfig())
    {
    }

    public AmazonRDSDataServiceClient(RegionEndpoint region)
        : this(new AmazonRDSDataServiceConfig { RegionEndpoint = region })
    {
    }

    /// <summary>Credentials from the SDK's default chain; the rest from <paramref name="config"/>.</summary>
    public AmazonRDSDataServiceClient(AmazonRDSDataServiceConfig config)
        : base(config)
    {
    }

    public AmazonRDSDataServiceClient(AWSCredentials? credentials, AmazonRDSDataServiceConfig config)
        : base(credentials, config)
    {
    }

    protected override Amazon.Runtime.Internal.IServiceMetadata ServiceMetadata { get; } = new ServiceMetadata("RDS Data");
}
