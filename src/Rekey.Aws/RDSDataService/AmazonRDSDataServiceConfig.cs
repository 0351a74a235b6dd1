using Rekey.Aws.Runtime;

namespace Rekey.Aws.RDSDataService;

/// <summary>
/// Configuration for the RDS Data API: service id "RDS Data" (AWS_ENDPOINT_URL_RDS_DATA), endpoint prefix and
/// SigV4 signing name "rds-data". Regional endpoints, rds-data-fips for FIPS, as botocore's endpoint-rule-set-1.json says.
/// </summary>
public sealed class AmazonRDSDataServiceConfig : AwsServiceConfig
{
    /// <summary>The service as the shared runtime sees it.</summary>
    public static AwsServiceDescriptor Descriptor { get; } = new("RDS Data", "rds-data", "rds-data", "2018-08-01");

    public AmazonRDSDataServiceConfig()
        : base(Descriptor)
    {
    }
}
