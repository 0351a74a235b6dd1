using System.Text.Json.Nodes;
using Rekey.Sandbox.Core;
using Rekey.Sandbox.Protocols;

namespace Rekey.Sandbox.Organizations;

/// <summary>
/// AWS Organizations (JSON 1.1, <c>X-Amz-Target: AWSOrganizationsV20161128.*</c>):
/// DescribeOrganization for any account of an organization, from <see cref="SandboxOrganizations"/>.
/// </summary>
public sealed class OrganizationsService : JsonService
{
    public OrganizationsService(SandboxRuntime runtime)
        : base(runtime)
    {
        Register("DescribeOrganization", mutating: false, DescribeOrganization);
    }

    public override string SigningName => "organizations";

    protected override string TargetPrefix => "AWSOrganizationsV20161128";

    // Organizations' error shapes name their member Message.
    protected override string ErrorMessageMember => "Message";

    private JsonNode DescribeOrganization(AwsRequestContext request, JsonObject body)
    {
        var organization = Runtime.Organizations.Of(request.Account)
            ?? throw new AwsServiceException("AWSOrganizationsNotInUseException", "Your account is not a member of an organization.");
        return new JsonObject
        {
            ["Organization"] = new JsonObject
            {
                ["Id"] = organization.Id,
                ["Arn"] = organization.Arn,
                ["FeatureSet"] = "ALL",
                ["MasterAccountArn"] = organization.ManagementAccountArn,
                ["MasterAccountId"] = organization.ManagementAccount,
                ["MasterAccountEmail"] = organization.ManagementAccountEmail,

                // The API reference deprecates this list: it only ever shows service control
                // policies, as in its example (SERVICE_CONTROL_POLICY, ENABLED).
                ["AvailablePolicyTypes"] = new JsonArray(new JsonObject { ["Type"] = "SERVICE_CONTROL_POLICY", ["Status"] = "ENABLED" }),
            },
        };
    }
}
