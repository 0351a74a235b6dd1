using Rekey.Aws.Runtime;

namespace Rekey.Aws.RDS;

/// <summary>Configuration for Amazon RDS: service id "RDS", endpoint prefix "rds", SigV4 signing name "rds".</summary>
public sealed class AmazonRDSConfig : AwsServiceConfig
{
    /// <summary>The service as the shared runtime sees it.</summary>
    public static AwsServiceDescriptor Descriptor { get; } = new("RDS", "rds", "rds", "2014-10-31");

    public AmazonRDSConfig()
        : base(Descriptor)
    {
    }
}
