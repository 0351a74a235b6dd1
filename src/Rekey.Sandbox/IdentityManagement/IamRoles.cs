using System.Text.Json;
using System.Text.Json.Nodes;
using Rekey.Sandbox.Core;

namespace Rekey.Sandbox.IdentityManagement;

/// <summary>An IAM role as the sandbox keeps it (and saves it in the state file).</summary>
public sealed class IamRole
{
    public required string Account { get; init; }

    public required string RoleName { get; init; }

    /// <summary>"/" or "/segment/.../": part of the ARN, not of the name.</summary>
    public required string Path { get; init; }

    public required string RoleId { get; init; }

    public required DateTimeOffset CreateDate { get; init; }

    /// <summary>The trust policy as given (IAM returns it URL-encoded).</summary>
    public required string AssumeRolePolicyDocument { get; init; }

    public string? Description { get; init; }

    public int MaxSessionDuration { get; init; } = 3600;

    public List<IamTag> Tags { get; init; } = [];

    /// <summary>
    /// When STS and AWS Backup can first use the role: null at once (seeded roles stand for roles that existed
    /// before); a role created through IAM in the unruly mode waits, as IAM's eventual consistency allows.
    /// </summary>
    public DateTimeOffset? UsableFrom { get; set; }

    public string Arn => $"arn:aws:iam::{Account}:role{Path}{RoleName}";
}

public sealed record IamTag(string Key, string Value);

/// <summary>
/// The IAM roles of every account. IAM is global: roles belong to an account, not a region. The
/// registry starts empty in every account, including the AWS Backup default service role
/// (service-role/AWSBackupDefaultServiceRole), which AWS creates only when someone first uses the
/// Backup console or creates it: the hostile reading is that it is absent until seeded. AWS Backup
/// refuses role ARNs that are not here; STS assumes only roles that are here and whose trust policy
/// allows the caller.
/// Seed roles with POST /_sandbox/iam/roles {"account","roleName","path"?,"assumeRolePolicyDocument"?}.
/// </summary>
public sealed class IamRoles(SandboxClock clock, SandboxRuntime runtime) : IStatefulComponent, ISandboxControlApi
{
    private List<IamRole> _roles = [];

    public string StateKey => "iam";

    public IReadOnlyList<IamRole> All => _roles;

    /// <summary>A role by name; IAM names are unique per account regardless of case.</summary>
    public IamRole? Find(string account, string roleName) =>
        _roles.FirstOrDefault(r => r.Account == account && string.Equals(r.RoleName, roleName, StringComparison.OrdinalIgnoreCase));

    /// <summary>The role an ARN (arn:aws:iam::ACCOUNT:role/PATH/NAME) names, if it exists with exactly that path and name.</summary>
    public IamRole? FindByArn(string arn)
    {
        const string marker = ":role/";
        var parts = arn.Split(':');
        var at = arn.IndexOf(marker, StringComparison.Ordinal);
        if (parts.Length < 6 || parts[0] != "arn" || parts[2] != "iam" || at < 0)
        {
            return null;
        }

        var pathAndName = arn[(at + marker.Length - 1)..];
        var slash = pathAndName.LastIndexOf('/');
        var role = Find(parts[4], pathAndName[(slash + 1)..]);
        return role is not null && role.Path == pathAndName[..(slash + 1)] && role.RoleName == pathAndName[(slash + 1)..] ? role : null;
    }

    public IamRole Add(string account, string roleName, string path, string assumeRolePolicyDocument, string? description = null, int maxSessionDuration = 3600, IEnumerable<IamTag>? tags = null)
    {
        if (Find(account, roleName) is not null)
        {
            throw new InvalidOperationException($"Role with name {roleName} already exists.");
        }

        var role = new IamRole
        {
            Account = account,
            RoleName = roleName,
            Path = path,
            RoleId = "AROA" + RandomText.UpperAlphanumeric(17),
            CreateDate = clock.Now,
            AssumeRolePolicyDocument = assumeRolePolicyDocument,
            Description = description,
            MaxSessionDuration = maxSessionDuration,
            Tags = [.. tags ?? []],
        };
        _roles.Add(role);
        return role;
    }

    /// <summary>The role an ARN names, if it exists and IAM's change has reached the services that use it at <paramref name="at"/>.</summary>
    public IamRole? FindUsable(string arn, DateTimeOffset at) =>
        FindByArn(arn) is { } role && (role.UsableFrom is null || role.UsableFrom <= at) ? role : null;

    public bool Remove(IamRole role) => _roles.Remove(role);

    public void MapRoutes(IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        routes.MapGet("/_sandbox/iam/roles", (string? account) => Results.Json(
            runtime.Read(() => _roles.Where(r => account is null || r.Account == account).Select(View).ToList()), SandboxJson.Options));
        routes.MapPost("/_sandbox/iam/roles", (RoleSeed body) =>
        {
            var path = body.Path ?? "/";
            if (!AccountResolver.IsAccountId(body.Account) || !IamService.IsRoleName(body.RoleName) || !IamService.IsPath(path))
            {
                return Results.BadRequest(new { message = "Give a 12-digit account, a role name of 1-64 characters [\\w+=,.@-] and a path \"/\" or \"/.../\"." });
            }

            try
            {
                var trust = body.AssumeRolePolicyDocument ?? AccountTrustPolicy(body.Account);
                var role = runtime.Change(() => View(Add(body.Account, body.RoleName, path, trust)));
                return Results.Json(role, SandboxJson.Options, statusCode: StatusCodes.Status201Created);
            }
            catch (InvalidOperationException error)
            {
                return Results.Conflict(new { message = error.Message });
            }
        });
    }

    public JsonNode Save() => JsonSerializer.SerializeToNode(_roles, SandboxJson.Options)!;

    public void Load(JsonNode state) =>
        _roles = state.Deserialize<List<IamRole>>(SandboxJson.Options) ?? throw new InvalidDataException("The IAM state is empty.");

    // A seeded role without a trust policy trusts its own account, the least a role can trust.
    private static string AccountTrustPolicy(string account) =>
        $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{account}}:root"},"Action":"sts:AssumeRole"}]}""";

    private static object View(IamRole role) => new
    {
        account = role.Account,
        roleName = role.RoleName,
        path = role.Path,
        roleId = role.RoleId,
        arn = role.Arn,
        createDate = role.CreateDate,
    };

    /// <summary>POST /_sandbox/iam/roles.</summary>
    public sealed record RoleSeed(string Account, string RoleName, string? Path, string? AssumeRolePolicyDocument);
}
