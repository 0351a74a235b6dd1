using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Rekey.Sandbox.Core;

/// <summary>
/// One AWS Organization: its management account, its member accounts (the management account
/// included) and the AWS Backup global setting that belongs to it.
/// </summary>
public sealed class SandboxOrganization
{
    public required string Id { get; init; }

    public required string ManagementAccount { get; init; }

    public required string ManagementAccountEmail { get; init; }

    public List<string> Members { get; init; } = [];

    /// <summary>AWS Backup's isCrossAccountBackupEnabled; only the management account changes it.</summary>
    public bool CrossAccountBackupEnabled { get; set; }

    /// <summary>When UpdateGlobalSettings last changed the organization's settings (DescribeGlobalSettings' LastUpdateTime).</summary>
    public DateTimeOffset? GlobalSettingsUpdated { get; set; }

    public string Arn => $"arn:aws:organizations::{ManagementAccount}:organization/{Id}";

    public string ManagementAccountArn => $"arn:aws:organizations::{ManagementAccount}:account/{Id}/{ManagementAccount}";

    public bool IsMember(string account) => Members.Contains(account);
}

/// <summary>
/// Every organization of the sandbox. It starts with one, o-sandbox0001: management account
/// 999999999999, members 111111111111 (workloads) and 222222222222 (backup), cross-account backup
/// off. Tests and rehearsals add organizations and move accounts between them through the sandbox
/// API (/_sandbox/organizations); an account belongs to at most one organization, as in AWS, and
/// an account in none gets AWS's "not a member of an organization" answers.
/// </summary>
public sealed partial class SandboxOrganizations : IStatefulComponent
{
    public const string DefaultOrganizationId = "o-sandbox0001";

    private List<SandboxOrganization> _organizations = [Initial()];

    public string StateKey => "organizations";

    public IReadOnlyList<SandboxOrganization> All => _organizations;

    public SandboxOrganization? Find(string id) => _organizations.FirstOrDefault(o => o.Id == id);

    /// <summary>The organization <paramref name="account"/> belongs to, or null.</summary>
    public SandboxOrganization? Of(string account) => _organizations.FirstOrDefault(o => o.IsMember(account));

    /// <summary>True when both accounts belong to one organization.</summary>
    public bool SameOrganization(string account, string other) => Of(account) is { } organization && organization.IsMember(other);

    /// <summary>
    /// Creates an organization whose management account is <paramref name="managementAccount"/>
    /// (its only member). As in AWS, an account that already belongs to an organization cannot
    /// create another one.
    /// </summary>
    public SandboxOrganization Create(string managementAccount, string? id = null, string? email = null)
    {
        if (!AccountResolver.IsAccountId(managementAccount))
        {
            throw new ArgumentException($"{managementAccount} is not a 12-digit account id.", nameof(managementAccount));
        }

        if (Of(managementAccount) is { } current)
        {
            throw new InvalidOperationException($"Account {managementAccount} already belongs to organization {current.Id}.");
        }

        id ??= "o-" + RandomText.LowerAlphanumeric(10);
        if (!OrganizationIdPattern().IsMatch(id))
        {
            throw new ArgumentException($"{id} is not an organization id (o- and 10 to 32 lowercase letters or digits).", nameof(id));
        }

        if (Find(id) is not null)
        {
            throw new InvalidOperationException($"Organization {id} already exists.");
        }

        var organization = new SandboxOrganization
        {
            Id = id,
            ManagementAccount = managementAccount,
            ManagementAccountEmail = email ?? EmailOf(managementAccount),
            Members = [managementAccount],
        };
        _organizations.Add(organization);
        return organization;
    }

    /// <summary>
    /// Moves <paramref name="account"/> into organization <paramref name="organizationId"/>, or out
    /// of every organization when it is null. A management account cannot leave its organization
    /// (AWS requires deleting the organization instead).
    /// </summary>
    public void Move(string account, string? organizationId)
    {
        if (!AccountResolver.IsAccountId(account))
        {
            throw new ArgumentException($"{account} is not a 12-digit account id.", nameof(account));
        }

        var target = organizationId is null ? null : Find(organizationId) ?? throw new KeyNotFoundException($"Organization {organizationId} does not exist.");
        var current = Of(account);
        if (current == target)
        {
            return;
        }

        if (current is not null && current.ManagementAccount == account)
        {
            throw new InvalidOperationException($"Account {account} is the management account of organization {current.Id} and cannot leave it.");
        }

        current?.Members.Remove(account);
        target?.Members.Add(account);
    }

    public JsonNode Save() => JsonSerializer.SerializeToNode(_organizations, SandboxJson.Options)!;

    public void Load(JsonNode state)
    {
        ArgumentNullException.ThrowIfNull(state);
        _organizations = state.Deserialize<List<SandboxOrganization>>(SandboxJson.Options)
            ?? throw new InvalidDataException("The organizations state is empty.");
    }

    private static SandboxOrganization Initial() => new()
    {
        Id = DefaultOrganizationId,
        ManagementAccount = "999999999999",
        ManagementAccountEmail = EmailOf("999999999999"),
        Members = ["999999999999", "111111111111", "222222222222"],
    };

    private static string EmailOf(string account) => $"aws+{account}@example.com";

    [GeneratedRegex("^o-[a-z0-9]{10,32}$")]
    private static partial Regex OrganizationIdPattern();
}
