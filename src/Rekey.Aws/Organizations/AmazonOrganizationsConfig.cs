using Rekey.Aws.Runtime;

namespace Rekey.Aws.Organizations;

/// <summary>
/// Configuration for AWS Organizations: service id "Organizations", signing name "organizations". A
/// global service: in aws, aws-cn, aws-us-gov and the ISO partitions its one endpoint serves every
/// region and requests are signed for that endpoint's region (organizations.us-east-1.amazonaws.com,
/// us-east-1, in aws), as botocore's endpoint-rule-set-1.json says; elsewhere the endpoint is regional.
/// </summary>
public sealed class AmazonOrganizationsConfig : AwsServiceConfig
{
    /// <summary>The service as the shared runtime sees it.</summary>
    public static AwsServiceDescriptor Descriptor { get; } = new("Organizations", "organizations", "organizations", "2016-11-28")
    {
        GlobalEndpoints =
        [
            new("aws", "organizations.us-east-1.amazonaws.com", "us-east-1"),
            new("aws", "organizations-fips.us-east-1.amazonaws.com", "us-east-1", Fips: true),
            new("aws-cn", "organizations.cn-northwest-1.amazonaws.com.cn", "cn-northwest-1"),
            new("aws-us-gov", "organizations.us-gov-west-1.amazonaws.com", "us-gov-west-1"),
            // The GovCloud endpoint is FIPS validated: the FIPS variant is the same host.
            new("aws-us-gov", "organizations.us-gov-west-1.amazonaws.com", "us-gov-west-1", Fips: true),
            new("aws-iso", "organizations.us-iso-east-1.c2s.ic.gov", "us-iso-east-1"),
            new("aws-iso-b", "organizations.us-isob-east-1.sc2s.sgov.gov", "us-isob-east-1"),
            new("aws-iso-f", "organizations.us-isof-south-1.csp.hci.ic.gov", "us-isof-south-1"),
        ],
    };

    public AmazonOrganizationsConfig()
        : base(Descriptor)
    {
    }
}
