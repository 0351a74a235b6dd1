using Rekey.Aws.Runtime;

namespace Rekey.Aws.IdentityManagement;

/// <summary>
/// Configuration for AWS Identity and Access Management: service id "IAM", signing name "iam". A global
/// service: one endpoint per partition, whatever the region, with requests signed for the partition's
/// global signing region (https://iam.amazonaws.com and us-east-1 in aws), as botocore's
/// endpoint-rule-set-1.json says. The entries below are the partitions whose rules name another host.
/// </summary>
public sealed class AmazonIdentityManagementServiceConfig : AwsServiceConfig
{
    /// <summary>The service as the shared runtime sees it.</summary>
    public static AwsServiceDescriptor Descriptor { get; } = new("IAM", "iam", "iam", "2010-05-08")
    {
        Scope = EndpointScope.Partition,
        GlobalEndpoints =
        [
            new("aws", "iam.global.api.aws", "us-east-1", DualStack: true),
            new("aws", "iam-fips.global.api.aws", "us-east-1", Fips: true, DualStack: true),
            new("aws-cn", "iam.cn-north-1.amazonaws.com.cn", "cn-north-1"),
            new("aws-cn", "iam.global.api.amazonwebservices.com.cn", "cn-north-1", DualStack: true),
            // GovCloud's IAM endpoints are FIPS validated: the FIPS variants are the same hosts.
            new("aws-us-gov", "iam.us-gov.amazonaws.com", "us-gov-west-1"),
            new("aws-us-gov", "iam.us-gov.amazonaws.com", "us-gov-west-1", Fips: true),
            new("aws-us-gov", "iam.us-gov.api.aws", "us-gov-west-1", DualStack: true),
            new("aws-us-gov", "iam.us-gov.api.aws", "us-gov-west-1", Fips: true, DualStack: true),
            new("aws-iso", "iam.us-iso-east-1.c2s.ic.gov", "us-iso-east-1"),
            new("aws-iso", "iam-fips.us-iso-east-1.c2s.ic.gov", "us-iso-east-1", Fips: true),
            new("aws-iso-b", "iam.us-isob-east-1.sc2s.sgov.gov", "us-isob-east-1"),
            new("aws-iso-b", "iam-fips.us-isob-east-1.sc2s.sgov.gov", "us-isob-east-1", Fips: true),
            new("aws-iso-e", "iam.eu-isoe-west-1.cloud.adc-e.uk", "eu-isoe-west-1"),
            new("aws-iso-f", "iam.us-isof-south-1.csp.hci.ic.gov", "us-isof-south-1"),
            new("aws-eusc", "iam.eusc-de-east-1.amazonaws.eu", "eusc-de-east-1"),
        ],
    };

    public AmazonIdentityManagementServiceConfig()
        : base(Descriptor)
    {
    }
}
