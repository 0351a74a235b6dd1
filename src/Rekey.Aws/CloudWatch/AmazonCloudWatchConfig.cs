using Rekey.Aws.Runtime;

namespace Rekey.Aws.CloudWatch;

/// <summary>
/// Configuration for Amazon CloudWatch: service id "CloudWatch", endpoint prefix "monitoring", SigV4
/// signing name "monitoring". Regional endpoints; botocore's endpoint-rule-set-1.json serves FIPS in
/// GovCloud from the standard hosts, dual-stack or not.
/// </summary>
public sealed class AmazonCloudWatchConfig : AwsServiceConfig
{
    /// <summary>The service as the shared runtime sees it.</summary>
    public static AwsServiceDescriptor Descriptor { get; } = new("CloudWatch", "monitoring", "monitoring", "2010-08-01")
    {
        // These rules come first, before the checks that the partition supports FIPS and dual-stack.
        FipsOnStandardHosts =
        [
            new("aws-us-gov", ChecksPartitionSupport: false),
            new("aws-us-gov", DualStack: true, ChecksPartitionSupport: false),
        ],
    };

    public AmazonCloudWatchConfig()
        : base(Descriptor)
    {
    }
}
