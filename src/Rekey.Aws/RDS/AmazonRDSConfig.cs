using Rekey.Aws.Runtime;

namespace Rekey.Aws.RDS;

/// <summary>
/// Configuration for Amazon RDS: service id "RDS", endpoint prefix "rds", SigV4 signing name "rds".
/// Regional endpoints; botocore's endpoint-rule-set-1.json serves FIPS in GovCloud from the standard host.
/// </summary>
public sealed class AmazonRDSConfig : AwsServiceConfig
{
    /// <summary>The service as the shared runtime sees it.</summary>
    public static AwsServiceDescriptor Descriptor { get; } = new("RDS", "rds", "rds", "2014-10-31")
    {
        // https://rds.us-gov-east-1.amazonaws.com; with dual-stack too, FIPS is rds-fips.<region>.api.aws.
        FipsOnStandardHosts = [new("aws-us-gov")],
    };

    public AmazonRDSConfig()
        : base(Descriptor)
    {
    }
}
