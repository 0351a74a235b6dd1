using Rekey.Aws.Runtime;

namespace Rekey.Aws.CloudWatch;

/// <summary>Configuration for Amazon CloudWatch: service id "CloudWatch", endpoint prefix "monitoring", SigV4 signing name "monitoring".</summary>
public sealed class AmazonCloudWatchConfig : AwsServiceConfig
{
    /// <summary>The service as the shared runtime sees it.</summary>
    public static AwsServiceDescriptor Descriptor { get; } = new("CloudWatch", "monitoring", "monitoring", "2010-08-01");

    public AmazonCloudWatchConfig()
        : base(Descriptor)
    {
    }
}
