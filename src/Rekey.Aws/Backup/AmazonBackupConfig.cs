using Rekey.Aws.Runtime;

namespace Rekey.Aws.Backup;

/// <summary>
/// Configuration for AWS Backup: service id "Backup", endpoint prefix "backup", SigV4 signing name "backup".
/// Regional endpoints, backup-fips for FIPS in every partition, as botocore's endpoint-rule-set-1.json says.
/// </summary>
public sealed class AmazonBackupConfig : AwsServiceConfig
{
    /// <summary>The service as the shared runtime sees it.</summary>
    public static AwsServiceDescriptor Descriptor { get; } = new("Backup", "backup", "backup", "2018-11-15");

    public AmazonBackupConfig()
        : base(Descriptor)
    {
    }
}
