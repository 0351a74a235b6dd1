using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Rekey.Sandbox.Core.Policies;

/// <summary>
/// Who asks for what, in the terms a resource policy (KMS key policy, Backup vault access policy,
/// IAM role trust policy) is written in. <see cref="RoleArn"/> is null for the account's own
/// credentials (its root). A web identity caller has no account: <see cref="PrincipalAccount"/> is
/// null and <see cref="FederatedProvider"/> names its identity provider.
/// </summary>
public sealed record PolicyRequest
{
    /// <summary>The caller's account (aws:PrincipalAccount); null for a web identity or service caller.</summary>
    public string? PrincipalAccount { get; init; }

    /// <summary>arn:aws:iam::ACCOUNT:role/NAME when the caller acts through an assumed role.</summary>
    public string? RoleArn { get; init; }

    /// <summary>The action, e.g. kms:Decrypt or backup:CopyIntoBackupVault.</summary>
    public required string Action { get; init; }

    /// <summary>The caller's organization id (aws:PrincipalOrgID); null outside an organization.</summary>
    public string? PrincipalOrgId { get; init; }

    /// <summary>kms:ViaService, e.g. rds.us-east-1.amazonaws.com, when an AWS service uses the key for the caller.</summary>
    public string? ViaService { get; init; }

    /// <summary>kms:GrantIsForAWSResource: true when an AWS service creates the grant for one of its resources.</summary>
    public bool GrantIsForAwsResource { get; init; }

    /// <summary>arn:aws:iam::ACCOUNT:oidc-provider/HOST for a caller that presents a web identity token.</summary>
    public string? FederatedProvider { get; init; }

    /// <summary>A service principal such as backup.amazonaws.com when an AWS service is the caller.</summary>
    public string? ServicePrincipal { get; init; }

    /// <summary>
    /// Further condition keys and their values, e.g. token.actions.githubusercontent.com:sub; a key
    /// may have several values (an audience list), which the ForAnyValue/ForAllValues operators test.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Context { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>aws:PrincipalArn: the role for a role session, the account's root for its own credentials.</summary>
    public string? PrincipalArn => RoleArn ?? (PrincipalAccount is null ? null : $"arn:aws:iam::{PrincipalAccount}:root");
}

/// <summary>
/// A small, explicit evaluator for the resource policies Rekey writes and AWS writes for its
/// managed keys, and for IAM role trust policies (STS). What it understands:
/// <list type="bullet">
/// <item>Effect Allow and Deny; a matching Deny wins, and nothing is allowed without a matching Allow.</item>
/// <item>Principal "*", {"AWS": "*"}, an account id, an account root ARN (any principal of that
/// account: the sandbox evaluates no IAM policies, so the account's are taken to allow), a role ARN or
/// an assumed-role ARN (only that role). {"Federated": provider ARN} matches a web identity caller of
/// that provider, {"Service": name} that service. Strings or lists. Service and Federated principals
/// never match an account's caller, nor AWS principals a web identity.</item>
/// <item>Action lists with * and ? wildcards (kms:ReEncrypt*, sts:*), compared without case.</item>
/// <item>Conditions StringEquals, StringEqualsIgnoreCase, StringLike, StringNotEquals, Bool, ArnEquals, ArnLike,
/// each also with ForAnyValue: and ForAllValues:, on aws:PrincipalOrgID, aws:PrincipalAccount,
/// aws:PrincipalArn, kms:CallerAccount, kms:ViaService, kms:GrantIsForAWSResource and the claims of a
/// web identity token (PROVIDER:sub, PROVIDER:aud, e.g. token.actions.githubusercontent.com:sub).</item>
/// </list>
/// Anything else (NotPrincipal, NotAction, other condition operators or keys, a single-valued
/// operator on a key with several values) makes an Allow statement not apply and a Deny statement apply: when
/// the sandbox cannot tell, it takes the answer that refuses, so a policy that only works through
/// something unmodelled fails here rather than in AWS.
/// </summary>
public static partial class PolicyEvaluator
{
    /// <summary>Parses a policy document; null with the reason when it is not one.</summary>
    public static JsonObject? Parse(string? document, out string? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(document))
        {
            error = "The policy document is empty.";
            return null;
        }

        try
        {
            if (JsonNode.Parse(document) is not JsonObject policy)
            {
                error = "The policy document must be a JSON object.";
                return null;
            }

            if (policy["Statement"] is not (JsonObject or JsonArray))
            {
                error = "The policy document has no Statement.";
                return null;
            }

            foreach (var statement in Statements(policy))
            {
                var effect = statement["Effect"]?.GetValue<string>();
                if (effect is not ("Allow" or "Deny"))
                {
                    error = "Each statement needs an Effect of Allow or Deny.";
                    return null;
                }

                if (statement["Principal"] is null && statement["NotPrincipal"] is null)
                {
                    error = "Each statement of a resource policy needs a Principal.";
                    return null;
                }

                if (statement["Action"] is null && statement["NotAction"] is null)
                {
                    error = "Each statement needs an Action.";
                    return null;
                }
            }

            return policy;
        }
        catch (Exception parseError) when (parseError is JsonException or InvalidOperationException or FormatException)
        {
            error = "The policy document is not valid JSON: " + parseError.Message;
            return null;
        }
    }

    /// <summary>Whether the policy allows the request (an explicit Deny wins over any Allow).</summary>
    public static bool IsAllowed(string? document, PolicyRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var policy = Parse(document, out _);
        if (policy is null)
        {
            return false;
        }

        var allowed = false;
        foreach (var statement in Statements(policy))
        {
            var deny = statement["Effect"]?.GetValue<string>() == "Deny";
            var applies = Applies(statement, request, unknownMeans: deny);
            if (applies && deny)
            {
                return false;
            }

            allowed |= applies;
        }

        return allowed;
    }

    private static IEnumerable<JsonObject> Statements(JsonObject policy) => policy["Statement"] switch
    {
        JsonObject single => [single],
        JsonArray many => many.OfType<JsonObject>(),
        _ => [],
    };

    private static bool Applies(JsonObject statement, PolicyRequest request, bool unknownMeans)
    {
        if (statement["NotPrincipal"] is not null || statement["NotAction"] is not null)
        {
            return unknownMeans;
        }

        if (!PrincipalMatches(statement["Principal"], request) || !Strings(statement["Action"]).Any(a => Like(request.Action, a)))
        {
            return false;
        }

        return statement["Condition"] is not JsonObject conditions || ConditionsHold(conditions, request, unknownMeans);
    }

    // Each kind of principal names one kind of caller: AWS an account's principals, Federated a web
    // identity of that provider, Service an AWS service.
    private static bool PrincipalMatches(JsonNode? principal, PolicyRequest request) => principal switch
    {
        JsonValue value => value.ToString() == "*",
        JsonObject byKind =>
            (byKind["AWS"] is { } aws && Strings(aws).Any(p => AwsPrincipalMatches(p, request))) ||
            (request.FederatedProvider is { } provider && Strings(byKind["Federated"]).Contains(provider, StringComparer.Ordinal)) ||
            (request.ServicePrincipal is { } service && Strings(byKind["Service"]).Contains(service, StringComparer.Ordinal)),
        _ => false,
    };

    private static bool AwsPrincipalMatches(string principal, PolicyRequest request)
    {
        if (principal == "*")
        {
            return true;
        }

        if (request.PrincipalAccount is null)
        {
            return false;
        }

        if (principal == request.PrincipalAccount || principal == $"arn:aws:iam::{request.PrincipalAccount}:root")
        {
            return true;
        }

        if (request.RoleArn is null)
        {
            return false;
        }

        // arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION names one session of the role.
        var roleName = request.RoleArn[(request.RoleArn.LastIndexOf('/') + 1)..];
        return principal == request.RoleArn ||
            principal.StartsWith($"arn:aws:sts::{request.PrincipalAccount}:assumed-role/{roleName}/", StringComparison.Ordinal);
    }

    private static bool ConditionsHold(JsonObject conditions, PolicyRequest request, bool unknownMeans)
    {
        foreach (var (operatorName, block) in conditions)
        {
            if (block is not JsonObject keys)
            {
                return unknownMeans;
            }

            // ForAnyValue:/ForAllValues: test each of a key's values; a plain operator needs at most one.
            var colon = operatorName.IndexOf(':', StringComparison.Ordinal);
            var quantifier = colon < 0 ? null : operatorName[..colon];
            var comparison = operatorName[(colon + 1)..];
            if (quantifier is not (null or "ForAnyValue" or "ForAllValues") || Compare(comparison, string.Empty, []) is null)
            {
                return unknownMeans;
            }

            foreach (var (key, expected) in keys)
            {
                if (!IsKnownKey(key, request))
                {
                    return unknownMeans;
                }

                var actual = ContextValues(key, request);
                var values = Strings(expected).ToList();
                bool? holds = quantifier switch
                {
                    "ForAnyValue" => actual.Any(a => Compare(comparison, a, values) == true),
                    "ForAllValues" => actual.All(a => Compare(comparison, a, values) == true),
                    _ when actual.Count > 1 => null,
                    _ => Compare(comparison, actual.FirstOrDefault(), values),
                };
                if (holds is null)
                {
                    return unknownMeans;
                }

                if (holds == false)
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static bool? Compare(string comparison, string? actual, List<string> values) => comparison switch
    {
        "StringEquals" or "ArnEquals" => actual is not null && values.Contains(actual, StringComparer.Ordinal),
        "StringEqualsIgnoreCase" => actual is not null && values.Contains(actual, StringComparer.OrdinalIgnoreCase),
        "StringLike" or "ArnLike" => actual is not null && values.Any(v => Like(actual, v, ignoreCase: false)),
        "StringNotEquals" => actual is null || !values.Contains(actual, StringComparer.Ordinal),
        "Bool" => actual is not null && values.Contains(actual, StringComparer.OrdinalIgnoreCase),
        _ => null,
    };

    // A web identity's claims are keys PROVIDER:sub and PROVIDER:aud (the provider's host and path):
    // known even when the request has none, so a trust policy on them refuses other callers.
    private static bool IsKnownKey(string key, PolicyRequest request) =>
        key.ToLowerInvariant() is "aws:principalorgid" or "aws:principalaccount" or "aws:principalarn" or "kms:calleraccount" or "kms:viaservice" or "kms:grantisforawsresource" ||
        request.Context.Keys.Contains(key, StringComparer.OrdinalIgnoreCase) ||
        WebIdentityClaimKeyPattern().IsMatch(key);

    private static IReadOnlyList<string> ContextValues(string key, PolicyRequest request)
    {
        var value = key.ToLowerInvariant() switch
        {
            "aws:principalorgid" => request.PrincipalOrgId,
            "aws:principalaccount" or "kms:calleraccount" => request.PrincipalAccount,
            "aws:principalarn" => request.PrincipalArn,
            "kms:viaservice" => request.ViaService,
            "kms:grantisforawsresource" => request.GrantIsForAwsResource ? "true" : "false",
            _ => null,
        };
        if (value is not null)
        {
            return [value];
        }

        return request.Context.FirstOrDefault(c => string.Equals(c.Key, key, StringComparison.OrdinalIgnoreCase)).Value ?? [];
    }

    private static IEnumerable<string> Strings(JsonNode? node) => node switch
    {
        JsonValue value => [value.ToString()],
        JsonArray array => array.OfType<JsonValue>().Select(v => v.ToString()),
        _ => [],
    };

    /// <summary>IAM wildcard match: * any run, ? one character. Actions compare without case.</summary>
    private static bool Like(string value, string pattern, bool ignoreCase = true)
    {
        var regex = "^" + Regex.Escape(pattern).Replace("\\*", ".*", StringComparison.Ordinal).Replace("\\?", ".", StringComparison.Ordinal) + "$";
        return Regex.IsMatch(value, regex, (ignoreCase ? RegexOptions.IgnoreCase : RegexOptions.None) | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }

    [GeneratedRegex("^[a-z0-9-]+(\\.[a-z0-9-]+)+(/[^:]*)?:(sub|aud)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex WebIdentityClaimKeyPattern();
}
