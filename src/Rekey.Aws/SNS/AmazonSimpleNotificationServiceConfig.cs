using Rekey.Aws.Runtime;

namespace Rekey.Aws.SNS;

/// <summary>
/// Configuration for Amazon SNS: service id "SNS", endpoint prefix "sns", SigV4 signing name "sns".
/// Regional endpoints; botocore's endpoint-rule-set-1.json serves FIPS in the two GovCloud regions it
/// names from the standard host.
/// </summary>
public sealed class AmazonSimpleNotificationServiceConfig : AwsServiceConfig
{
    /// <summary>The service as the shared runtime sees it.</summary>
    public static AwsServiceDescriptor Descriptor { get; } = new("SNS", "sns", "sns", "2010-03-31")
    {
        // The rules name these regions, not the partition: another GovCloud region would get sns-fips.
        FipsOnStandardHosts = [new("aws-us-gov", Region: "us-gov-east-1"), new("aws-us-gov", Region: "us-gov-west-1")],
    };

    public AmazonSimpleNotificationServiceConfig()
        : base(Descriptor)
    {
    }
}
