using Rekey.Sandbox.Core;

namespace Rekey.Sandbox.Organizations;

/// <summary>
/// Sandbox API for organizations under /_sandbox/organizations: list them, create one, and move an
/// account into another organization or out of every one (so a test can put the backup account
/// in a different organization from the cluster's account).
/// </summary>
public sealed class OrganizationsControlApi(SandboxOrganizations organizations, SandboxRuntime runtime) : ISandboxControlApi
{
    public void MapRoutes(IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        var group = routes.MapGroup("/_sandbox/organizations");
        group.MapGet("/", () => Results.Json(runtime.Read(() => organizations.All.Select(View).ToList()), SandboxJson.Options));
        group.MapPost("/", (OrganizationRequest body) =>
        {
            try
            {
                var created = runtime.Change(() => View(organizations.Create(body.ManagementAccount, body.Id, body.Email)));
                return Results.Json(created, SandboxJson.Options, statusCode: StatusCodes.Status201Created);
            }
            catch (ArgumentException error)
            {
                return Results.BadRequest(new { message = error.Message });
            }
            catch (InvalidOperationException error)
            {
                return Results.Conflict(new { message = error.Message });
            }
        });
        group.MapPut("/accounts/{account}", (string account, MembershipRequest body) =>
        {
            try
            {
                runtime.Change(() =>
                {
                    organizations.Move(account, body.OrganizationId);
                    return true;
                });
                return Results.Json(new { account, organizationId = body.OrganizationId }, SandboxJson.Options);
            }
            catch (ArgumentException error)
            {
                return Results.BadRequest(new { message = error.Message });
            }
            catch (KeyNotFoundException error)
            {
                return Results.NotFound(new { message = error.Message });
            }
            catch (InvalidOperationException error)
            {
                return Results.Conflict(new { message = error.Message });
            }
        });
    }

    private static object View(SandboxOrganization organization) => new
    {
        id = organization.Id,
        arn = organization.Arn,
        managementAccount = organization.ManagementAccount,
        managementAccountEmail = organization.ManagementAccountEmail,
        members = organization.Members.ToList(),
        crossAccountBackupEnabled = organization.CrossAccountBackupEnabled,
    };

    /// <summary>POST /_sandbox/organizations: the management account, and optionally the id (o- and 10-32 lowercase letters or digits) and its e-mail address.</summary>
    public sealed record OrganizationRequest(string ManagementAccount, string? Id, string? Email);

    /// <summary>PUT /_sandbox/organizations/accounts/{account}: the organization to join, null to belong to none.</summary>
    public sealed record MembershipRequest(string? OrganizationId);
}
