using Rekey.Aws.Runtime;

namespace Rekey.Aws.SNS;

/// <summary>Configuration for Amazon SNS: service id "SNS", endpoint prefix "sns", SigV4 signing name "sns".</summary>
public sealed class AmazonSimpleNotificationServiceConfig : AwsServiceConfig
{
    /// <summary>The service as the shared runtime sees it.</summary>
    public static AwsServiceDescriptor Descriptor { get; } = new("SNS", "sns", "sns", "2010-03-31");

    public AmazonSimpleNotificationServiceConfig()
        : base(Descriptor)
    {
    }
}
