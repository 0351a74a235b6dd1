using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Rekey.Sandbox.Core;
using Rekey.Sandbox.Protocols;
using static Rekey.Sandbox.Protocols.QueryXml;

namespace Rekey.Sandbox.IdentityManagement;

/// <summary>
/// IAM (Query, 2010-05-08): GetRole, CreateRole and DeleteRole over <see cref="IamRoles"/>. IAM
/// is a global service: requests signed for any region reach the same roles of the account.
/// Policies other than the trust policy (inline, managed, boundaries) are not modelled.
/// </summary>
public sealed partial class IamService : QueryService
{
    private readonly IamRoles _roles;
    private readonly ChaosMode _chaos;

    public IamService(SandboxRuntime runtime, IamRoles roles, ChaosMode chaos)
        : base(runtime)
    {
        _roles = roles;
        _chaos = chaos;
        Register("GetRole", mutating: false, GetRole);
        Register("CreateRole", mutating: true, CreateRole);
        Register("DeleteRole", mutating: true, DeleteRole);
    }

    public override string SigningName => "iam";

    protected override XNamespace Namespace => "https://iam.amazonaws.com/doc/2010-05-08/";

    public static bool IsRoleName(string? name) => name is not null && RoleNamePattern().IsMatch(name);

    public static bool IsPath(string? path) => path is not null && path.Length <= 512 && PathPattern().IsMatch(path);

    private IEnumerable<XElement> GetRole(AwsRequestContext request, QueryParameters p)
    {
        var role = Existing(request, RoleName(p));

        // GetRole reports RoleLastUsed, empty for a role never used.
        return [RoleXml(role, new XElement("RoleLastUsed"))];
    }

    private IEnumerable<XElement> CreateRole(AwsRequestContext request, QueryParameters p)
    {
        var name = RoleName(p);
        var path = p.Get("Path") ?? "/";
        if (!IsPath(path))
        {
            throw Validation(path, "path", "Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)");
        }

        var document = p.Required("AssumeRolePolicyDocument");
        CheckTrustPolicy(document);
        var maxSession = p.Int("MaxSessionDuration") ?? 3600;
        if (maxSession is < 3600 or > 43200)
        {
            throw Validation(
                maxSession.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "maxSessionDuration",
                "Member must have value less than or equal to 43200 and greater than or equal to 3600");
        }

        if (_roles.Find(request.Account, name) is not null)
        {
            throw new AwsServiceException("EntityAlreadyExists", $"Role with name {name} already exists.", HttpStatusCode.Conflict);
        }

        var tags = p.Structures("Tags").Select(t => new IamTag(t.Required("Key"), t.Get("Value") ?? string.Empty));
        var role = _roles.Add(request.Account, name, path, document, p.Get("Description"), maxSession, tags);
        if (_chaos.IsOn)
        {
            role.UsableFrom = role.CreateDate + _chaos.IamDelay(role.Arn);
        }

        return [RoleXml(role)];
    }

    private IEnumerable<XElement> DeleteRole(AwsRequestContext request, QueryParameters p)
    {
        _roles.Remove(Existing(request, RoleName(p)));
        return [];
    }

    private IamRole Existing(AwsRequestContext request, string name) =>
        _roles.Find(request.Account, name)
            ?? throw new AwsServiceException("NoSuchEntity", $"The role with name {name} cannot be found.", HttpStatusCode.NotFound);

    private static string RoleName(QueryParameters p)
    {
        var name = p.Required("RoleName");
        return IsRoleName(name) ? name : throw Validation(name, "roleName", "Member must satisfy regular expression pattern: [\\w+=,.@-]+");
    }

    /// <summary>IAM parses the trust policy: it must be a JSON object with a Statement.</summary>
    private static void CheckTrustPolicy(string document)
    {
        try
        {
            using var parsed = JsonDocument.Parse(document);
            if (parsed.RootElement.ValueKind != JsonValueKind.Object || !parsed.RootElement.TryGetProperty("Statement", out _))
            {
                throw new AwsServiceException("MalformedPolicyDocument", "Missing required field Statement");
            }
        }
        catch (JsonException)
        {
            throw new AwsServiceException("MalformedPolicyDocument", "This policy contains invalid Json");
        }
    }

    private static XElement RoleXml(IamRole role, XElement? lastUsed = null) => new(
        "Role",
        new XElement("Path", role.Path),
        new XElement("RoleName", role.RoleName),
        new XElement("RoleId", role.RoleId),
        new XElement("Arn", role.Arn),
        new XElement("CreateDate", Timestamp(role.CreateDate)),

        // IAM returns policy documents URL-encoded (RFC 3986); SDKs decode them.
        new XElement("AssumeRolePolicyDocument", Uri.EscapeDataString(role.AssumeRolePolicyDocument)),
        Optional("Description", role.Description),
        new XElement("MaxSessionDuration", role.MaxSessionDuration),
        role.Tags.Count == 0 ? null : List("Tags", "member", role.Tags, t => new object[] { new XElement("Key", t.Key), new XElement("Value", t.Value) }),
        lastUsed);

    private static AwsServiceException Validation(string value, string member, string constraint) =>
        new("ValidationError", $"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: {constraint}");

    [GeneratedRegex("^[\\w+=,.@-]{1,64}$")]
    private static partial Regex RoleNamePattern();

    [GeneratedRegex("^(/|/[\\u0021-\\u007E]+/)$")]
    private static partial Regex PathPattern();

    /// <summary>For the call record: the role a call names, by its real ARN (path included), as IAM authorizes it.</summary>
    protected override void DescribeForIam(AwsRequestContext request, string action, QueryParameters parameters, bool afterHandler)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(parameters);
        if (!afterHandler && parameters.Get("RoleName") is { Length: > 0 } name)
        {
            var role = _roles.Find(request.Account, name);
            request.Authorization.Add(role?.Arn ?? $"arn:aws:iam::{request.Account}:role/{name}", CallResourceUse.Named);
        }
    }
}
