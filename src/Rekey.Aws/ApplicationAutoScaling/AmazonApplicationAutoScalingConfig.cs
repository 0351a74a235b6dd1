using Rekey.Aws.Runtime;

namespace Rekey.Aws.ApplicationAutoScaling;

/// <summary>
/// Configuration for Application Auto Scaling: service id "Application Auto Scaling", endpoint prefix and
/// SigV4 signing name "application-autoscaling". Regional endpoints; botocore's endpoint-rule-set-1.json
/// serves FIPS in GovCloud (without dual-stack) from the standard hosts.
/// </summary>
public sealed class AmazonApplicationAutoScalingConfig : AwsServiceConfig
{
    /// <summary>The service as the shared runtime sees it.</summary>
    public static AwsServiceDescriptor Descriptor { get; } = new("Application Auto Scaling", "application-autoscaling", "application-autoscaling", "2016-02-06")
    {
        FipsOnStandardHosts = [new("aws-us-gov")],
    };

    public AmazonApplicationAutoScalingConfig()
        : base(Descriptor)
    {
    }
}
