using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Rekey.Sandbox.Core;
using Rekey.Sandbox.IdentityManagement;
using Rekey.Sandbox.Core.Policies;
using Rekey.Sandbox.Protocols;

namespace Rekey.Sandbox.SecurityToken;

/// <summary>A temporary credential STS issued: calls made with its key id land in <see cref="Account"/>.</summary>
public sealed record StsSession(
    string AccessKeyId,
    string Account,
    string RoleArn,
    string RoleName,
    string SessionName,
    string RoleId,
    DateTimeOffset Expiration)
{
    public string AssumedRoleArn => $"arn:aws:sts::{Account}:assumed-role/{RoleName}/{SessionName}";

    public string AssumedRoleId => $"{RoleId}:{SessionName}";
}

/// <summary>The sessions STS issued, by access key id.</summary>
public sealed class StsSessions : IStatefulComponent
{
    private Dictionary<string, StsSession> _sessions = new(StringComparer.Ordinal);

    public string StateKey => "sts";

    public StsSession? Find(string accessKeyId) => _sessions.GetValueOrDefault(accessKeyId);

    public void Add(StsSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        _sessions[session.AccessKeyId] = session;
    }

    public JsonNode Save() => JsonSerializer.SerializeToNode(_sessions.Values.ToList(), SandboxJson.Options)!;

    public void Load(JsonNode state) =>
        _sessions = (state.Deserialize<List<StsSession>>(SandboxJson.Options) ?? []).ToDictionary(s => s.AccessKeyId, StringComparer.Ordinal);
}

/// <summary>
/// STS (Query, 2011-06-15): GetCallerIdentity, AssumeRole, AssumeRoleWithWebIdentity. A role can
/// be assumed only if it exists in the IAM role registry of its account and its trust policy
/// (evaluated by <see cref="PolicyEvaluator"/>) allows the caller: an account's principal or role
/// session for AssumeRole, the token's provider and claims for AssumeRoleWithWebIdentity. The
/// credentials returned act in the role's account.
/// </summary>
public sealed partial class StsService : QueryService
{
    private readonly StsSessions _sessions;
    private readonly IamRoles _roles;
    private readonly SandboxOrganizations _organizations;

    public StsService(SandboxRuntime runtime, StsSessions sessions, IamRoles roles, SandboxOrganizations organizations)
        : base(runtime)
    {
        _sessions = sessions;
        _roles = roles;
        _organizations = organizations;
        Register("GetCallerIdentity", mutating: false, GetCallerIdentity);
        Register("AssumeRole", mutating: true, (request, p) => Assume(request, p, webIdentity: null));
        Register("AssumeRoleWithWebIdentity", mutating: true, (request, p) => Assume(request, p, ParseWebIdentityToken(p.Required("WebIdentityToken"))));
    }

    public override string SigningName => "sts";

    public override IReadOnlyCollection<string> UnsignedOperations => ["AssumeRoleWithWebIdentity"];

    protected override XNamespace Namespace => "https://sts.amazonaws.com/doc/2011-06-15/";

    private IEnumerable<XElement> GetCallerIdentity(AwsRequestContext request, QueryParameters parameters)
    {
        var session = _sessions.Find(request.Caller.AccessKeyId);
        if (session is not null && session.Expiration <= Runtime.Clock.Now)
        {
            throw new AwsServiceException("ExpiredToken", "The security token included in the request is expired");
        }

        if (session is not null)
        {
            return [new("UserId", session.AssumedRoleId), new("Account", session.Account), new("Arn", session.AssumedRoleArn)];
        }

        // A long-term key: the account's root user.
        return [new("UserId", request.Account), new("Account", request.Account), new("Arn", $"arn:aws:iam::{request.Account}:root")];
    }

    private IEnumerable<XElement> Assume(AwsRequestContext request, QueryParameters parameters, WebIdentity? webIdentity)
    {
        var (roleArn, account, roleName, sessionName, duration) = ValidateAssumeRequest(parameters);
        var role = webIdentity is null ? AuthorizeAssumeRole(request, parameters, roleArn) : AuthorizeWebIdentity(webIdentity, roleArn, account);
        var session = new StsSession(
            AccountResolver.IssueAccessKeyId(account),
            account,
            roleArn,
            roleName,
            sessionName,
            role.RoleId,
            Runtime.Clock.Now.AddSeconds(duration));
        _sessions.Add(session);

        var result = new List<XElement>
        {
            new(
                "Credentials",
                new XElement("AccessKeyId", session.AccessKeyId),
                new XElement("SecretAccessKey", RandomText.UpperAlphanumeric(40)),
                new XElement("SessionToken", Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(180))),
                new XElement("Expiration", QueryXml.Timestamp(session.Expiration))),
            new("AssumedRoleUser", new XElement("AssumedRoleId", session.AssumedRoleId), new XElement("Arn", session.AssumedRoleArn)),
        };
        if (webIdentity is not null)
        {
            result.Add(new XElement("SubjectFromWebIdentityToken", webIdentity.Subject));
            result.Add(new XElement("Audience", webIdentity.Audience));
            result.Add(new XElement("Provider", webIdentity.Provider));
        }
        else if (parameters.Get("SourceIdentity") is { } sourceIdentity)
        {
            result.Add(new XElement("SourceIdentity", sourceIdentity));
        }

        return result;
    }

    /// <summary>The role ARN (and the account and role name in it), session name and duration (900 s to 12 h, default 1 h) of an assume call.</summary>
    private static (string RoleArn, string Account, string RoleName, string SessionName, int Duration) ValidateAssumeRequest(QueryParameters parameters)
    {
        var roleArn = parameters.Required("RoleArn");
        var match = RoleArnPattern().Match(roleArn);
        if (!match.Success)
        {
            throw new AwsServiceException("ValidationError", $"{roleArn} is invalid");
        }

        var sessionName = parameters.Required("RoleSessionName");
        if (!SessionNamePattern().IsMatch(sessionName))
        {
            throw new AwsServiceException(
                "ValidationError",
                $"1 validation error detected: Value '{sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*");
        }

        var duration = parameters.Int("DurationSeconds") ?? 3600;
        if (duration is < 900 or > 43200)
        {
            throw new AwsServiceException(
                "ValidationError",
                $"1 validation error detected: Value '{duration}' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200");
        }

        return (roleArn, match.Groups["account"].Value, match.Groups["name"].Value, sessionName, duration);
    }

    /// <summary>
    /// The role AssumeRole may assume: it exists and its trust policy allows the caller (the
    /// account's root for a long-term key, the role for a session), with sts:TagSession as well when
    /// the request passes session tags. AWS answers both failures alike, naming caller and role.
    /// </summary>
    private IamRole AuthorizeAssumeRole(AwsRequestContext request, QueryParameters parameters, string roleArn)
    {
        var session = _sessions.Find(request.Caller.AccessKeyId);
        if (session is not null && session.Expiration <= Runtime.Clock.Now)
        {
            throw new AwsServiceException("ExpiredToken", "The security token included in the request is expired");
        }

        PolicyRequest Caller(string action) => new()
        {
            PrincipalAccount = request.Account,
            RoleArn = session?.RoleArn,
            Action = action,
            PrincipalOrgId = _organizations.Of(request.Account)?.Id,
        };

        var role = _roles.FindUsable(roleArn, Runtime.Clock.Now);
        var tagged = parameters.Has("Tags") || parameters.Has("TransitiveTagKeys");
        if (role is null ||
            !PolicyEvaluator.IsAllowed(role.AssumeRolePolicyDocument, Caller("sts:AssumeRole")) ||
            (tagged && !PolicyEvaluator.IsAllowed(role.AssumeRolePolicyDocument, Caller("sts:TagSession"))))
        {
            var who = session?.AssumedRoleArn ?? $"arn:aws:iam::{request.Account}:root";
            throw new AwsServiceException(
                "AccessDenied", $"User: {who} is not authorized to perform: sts:AssumeRole on resource: {roleArn}", HttpStatusCode.Forbidden);
        }

        return role;
    }

    /// <summary>
    /// The role AssumeRoleWithWebIdentity may assume: it exists and its trust policy allows the
    /// federated principal of the token's issuer in the role's account (the sandbox keeps no OIDC
    /// provider registry: the provider the token names is taken to exist) with the token's sub and aud.
    /// </summary>
    private IamRole AuthorizeWebIdentity(WebIdentity webIdentity, string roleArn, string account)
    {
        var caller = new PolicyRequest
        {
            Action = "sts:AssumeRoleWithWebIdentity",
            FederatedProvider = $"arn:aws:iam::{account}:oidc-provider/{webIdentity.Provider}",
            Context = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase)
            {
                [webIdentity.Provider + ":sub"] = [webIdentity.Subject],
                [webIdentity.Provider + ":aud"] = webIdentity.Audiences,
            },
        };
        var role = _roles.FindUsable(roleArn, Runtime.Clock.Now);
        if (role is null || !PolicyEvaluator.IsAllowed(role.AssumeRolePolicyDocument, caller))
        {
            throw new AwsServiceException("AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity", HttpStatusCode.Forbidden);
        }

        return role;
    }

    /// <summary>Reads sub, aud and iss from an OIDC token (a JWT); the sandbox does not check its signature.</summary>
    private static WebIdentity ParseWebIdentityToken(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            throw new AwsServiceException("InvalidIdentityToken", "The web identity token is not a JWT.");
        }

        try
        {
            var payload = parts[1].Replace('-', '+').Replace('_', '/');
            payload = payload.PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '=');
            var claims = JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(payload)))!.AsObject();
            var issuer = claims["iss"]?.GetValue<string>() ?? throw new AwsServiceException("InvalidIdentityToken", "The token has no iss claim.");
            List<string> audiences = claims["aud"] switch
            {
                JsonArray array => [.. array.OfType<JsonValue>().Select(v => v.GetValue<string>())],
                JsonValue value => [value.GetValue<string>()],
                _ => [],
            };
            if (audiences.Count == 0)
            {
                throw new AwsServiceException("InvalidIdentityToken", "The token has no aud claim.");
            }

            var subject = claims["sub"]?.GetValue<string>() ?? throw new AwsServiceException("InvalidIdentityToken", "The token has no sub claim.");
            return new WebIdentity(subject, audiences, issuer.StartsWith("https://", StringComparison.Ordinal) ? issuer["https://".Length..] : issuer);
        }
        catch (Exception error) when (error is FormatException or JsonException or InvalidOperationException)
        {
            throw new AwsServiceException("InvalidIdentityToken", "The web identity token could not be read: " + error.Message);
        }
    }

    [GeneratedRegex("^arn:aws:iam::(?<account>[0-9]{12}):role/(?:[\\w+=,.@-]+/)*(?<name>[\\w+=,.@-]{1,64})$")]
    private static partial Regex RoleArnPattern();

    [GeneratedRegex("^[\\w+=,.@-]{2,64}$")]
    private static partial Regex SessionNamePattern();

    private sealed record WebIdentity(string Subject, IReadOnlyList<string> Audiences, string Provider)
    {
        public string Audience => Audiences[0];
    }

    /// <summary>For the call record: the role AssumeRole names.</summary>
    protected override void DescribeForIam(AwsRequestContext request, string action, QueryParameters parameters, bool afterHandler)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(parameters);
        if (!afterHandler && parameters.Get("RoleArn") is { Length: > 0 } role)
        {
            request.Authorization.Add(role, CallResourceUse.Named);
        }
    }
}
