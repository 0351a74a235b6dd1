using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Rekey.Sandbox.Core;
using Rekey.Sandbox.Protocols;

namespace Rekey.Sandbox.Sts;

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
/// STS (Query, 2011-06-15): GetCallerIdentity, AssumeRole, AssumeRoleWithWebIdentity. AssumeRole
/// does not consult the IAM role registry nor trust policies (a limit, see docs/sandbox.md): any
/// well-formed role ARN may be assumed, and the credentials returned act in the role's account.
/// </summary>
public sealed partial class StsService : QueryService
{
    private readonly StsSessions _sessions;

    public StsService(SandboxRuntime runtime, StsSessions sessions)
        : base(runtime)
    {
        _sessions = sessions;
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

        var account = match.Groups["account"].Value;
        var roleName = match.Groups["name"].Value;
        var session = new StsSession(
            AccountResolver.IssueAccessKeyId(account),
            account,
            roleArn,
            roleName,
            sessionName,
            "AROA" + RoleIdSuffix(roleArn),
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
            var audience = claims["aud"] switch
            {
                JsonArray array => array.FirstOrDefault()?.GetValue<string>(),
                JsonValue value => value.GetValue<string>(),
                _ => null,
            } ?? throw new AwsServiceException("InvalidIdentityToken", "The token has no aud claim.");
            var subject = claims["sub"]?.GetValue<string>() ?? throw new AwsServiceException("InvalidIdentityToken", "The token has no sub claim.");
            return new WebIdentity(subject, audience, issuer.StartsWith("https://", StringComparison.Ordinal) ? issuer["https://".Length..] : issuer);
        }
        catch (Exception error) when (error is FormatException or JsonException or InvalidOperationException)
        {
            throw new AwsServiceException("InvalidIdentityToken", "The web identity token could not be read: " + error.Message);
        }
    }

    // Role ids are stable per role: AROA + 17 characters derived from the ARN.
    private static string RoleIdSuffix(string roleArn)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(roleArn));
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        return string.Concat(hash.Take(17).Select(b => alphabet[b % alphabet.Length].ToString(CultureInfo.InvariantCulture)));
    }

    [GeneratedRegex("^arn:aws:iam::(?<account>[0-9]{12}):role/(?:[\\w+=,.@-]+/)*(?<name>[\\w+=,.@-]{1,64})$")]
    private static partial Regex RoleArnPattern();

    [GeneratedRegex("^[\\w+=,.@-]{2,64}$")]
    private static partial Regex SessionNamePattern();

    private sealed record WebIdentity(string Subject, string Audience, string Provider);
}
