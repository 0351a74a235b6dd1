using System.Text.Json.Nodes;
using Rekey.Sandbox.Core;
using Rekey.Sandbox.Protocols;

namespace Rekey.Sandbox.Backup;

// The organization's global settings (cross-account backup).
public sealed partial class BackupService
{
    private void RegisterGlobalSettingsOperations()
    {
        Register("GET", "/global-settings", "DescribeGlobalSettings", mutating: false, DescribeGlobalSettings);
        Register("PUT", "/global-settings", "UpdateGlobalSettings", mutating: true, UpdateGlobalSettings);
    }

    private RestJsonResponse DescribeGlobalSettings(AwsRequestContext request, RestJsonRequest r)
    {
        // The caller's own organization's settings.
        var organization = OrganizationOf(request);

        var json = new JsonObject
        {
            ["GlobalSettings"] = new JsonObject
            {
                ["isCrossAccountBackupEnabled"] = organization.CrossAccountBackupEnabled ? "true" : "false",
                ["isMpaEnabled"] = "false",
                ["isDelegatedAdministratorEnabled"] = "false",
            },
        };
        if (organization.GlobalSettingsUpdated is { } updated)
        {
            json["LastUpdateTime"] = Epoch(updated);
        }

        return RestJsonResponse.Ok(json);
    }

    private RestJsonResponse UpdateGlobalSettings(AwsRequestContext request, RestJsonRequest r)
    {
        var settings = r.Body["GlobalSettings"] as JsonObject ?? throw MissingParameter("GlobalSettings");
        var organization = OrganizationOf(request);

        // AWS does not document the refusal for a member account; the model's InvalidRequestException,
        // with a message that says who can make the change.
        if (request.Account != organization.ManagementAccount)
        {
            throw InvalidRequest(
                $"Only the management account of the organization ({organization.ManagementAccount}) can update the global settings; account {request.Account} is a member account.");
        }

        foreach (var (name, value) in settings)
        {
            var text = value?.GetValue<string>();
            if (name != "isCrossAccountBackupEnabled")
            {
                throw InvalidParameter($"The sandbox does not model the global setting {name}.");
            }

            organization.CrossAccountBackupEnabled = text switch
            {
                "true" => true,
                "false" => false,
                _ => throw InvalidParameter($"Invalid value {text} for {name}: use true or false."),
            };
        }

        organization.GlobalSettingsUpdated = Runtime.Clock.Now;
        return RestJsonResponse.Ok(null);
    }

    /// <summary>
    /// The caller's organization. Outside one, what AWS answers (seen in the wild, e.g.
    /// cloudquery/cq-provider-aws issue 817): HTTP 400 with the code ERROR_9601, which is in no
    /// model, so clients must treat it as an unmodelled error.
    /// </summary>
    private SandboxOrganization OrganizationOf(AwsRequestContext request) =>
        Runtime.Organizations.Of(request.Account)
            ?? throw new AwsServiceException("ERROR_9601", "Your account is not a member of an organization.")
            {
                Details = ErrorDetails("ERROR_9601", "Your account is not a member of an organization."),
            };
}
