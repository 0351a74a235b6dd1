using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Rekey.Migration;

/// <summary>
/// Whether a key policy lets the run's principal have RDS use the key: the KMS actions RDS needs from the
/// caller (<see cref="RdsActions"/>) asked with the context RDS asks them in (kms:ViaService of the
/// Region, kms:CallerAccount, kms:GrantIsForAWSResource for the grant). The rules are KMS's for a key
/// policy: a matching Deny wins, and nothing is allowed without a matching Allow; a principal is
/// "*", the account (its id or root ARN: the account delegates to IAM) or the run's own role. A condition
/// on a key this check does not know is taken as not met (as IAM takes an absent key), so such an Allow
/// does not count and such a Deny does not apply: Preflight then refuses rather than guesses.
/// </summary>
public static class KeyUsePolicy
{
    /// <summary>What RDS asks KMS for on the caller's behalf when it encrypts a cluster with a customer managed key.</summary>
    public static readonly IReadOnlyList<string> RdsActions = ["kms:CreateGrant", "kms:DescribeKey", "kms:Decrypt", "kms:GenerateDataKey"];

    /// <summary>The actions of <see cref="RdsActions"/> the policy does not allow the principal through RDS.</summary>
    /// <param name="policy">The key policy document.</param>
    /// <param name="account">The run's account.</param>
    /// <param name="roleArn">arn:…:iam::ACCOUNT:role/NAME of the run's role session; null for the account's own credentials.</param>
    /// <param name="region">The cluster's Region, which names kms:ViaService.</param>
    public static IReadOnlyList<string> MissingForRds(string policy, string account, string? roleArn, string region)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(policy);
        }
        catch (System.Text.Json.JsonException)
        {
            return RdsActions;
        }

        var statements = root?["Statement"] switch
        {
            JsonArray array => array.OfType<JsonObject>().ToList(),
            JsonObject single => [single],
            _ => [],
        };

        var missing = new List<string>();
        foreach (var action in RdsActions)
        {
            var context = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
            {
                ["kms:ViaService"] = $"rds.{region}.amazonaws.com",
                ["kms:CallerAccount"] = account,
                ["aws:PrincipalAccount"] = account,
                ["aws:PrincipalArn"] = roleArn ?? $"arn:aws:iam::{account}:root",
                ["aws:ViaAWSService"] = "false",
            };
            if (action == "kms:CreateGrant")
            {
                context["kms:GrantIsForAWSResource"] = "true";
            }

            var applying = statements.Where(s => Applies(s, action, account, roleArn, context)).ToList();
            var denied = applying.Any(s => Effect(s) == "Deny");
            var allowed = applying.Any(s => Effect(s) == "Allow");
            if (denied || !allowed)
            {
                missing.Add(action);
            }
        }

        return missing;
    }

    private static string? Effect(JsonObject statement) => (string?)statement["Effect"];

    private static bool Applies(JsonObject statement, string action, string account, string? roleArn, Dictionary<string, string> context)
    {
        var principalMatches = statement["NotPrincipal"] is null && NamesPrincipal(statement["Principal"], account, roleArn);
        var actionMatches = statement["NotAction"] is { } notAction
            ? !Strings(notAction).Any(pattern => Matches(pattern, action))
            : Strings(statement["Action"]).Any(pattern => Matches(pattern, action));
        return principalMatches && actionMatches && ConditionsMet(statement["Condition"] as JsonObject, context);
    }

    private static bool NamesPrincipal(JsonNode? principal, string account, string? roleArn)
    {
        var values = principal switch
        {
            JsonValue value => [(string?)value ?? string.Empty],
            JsonObject obj => Strings(obj["AWS"]),
            _ => [],
        };
        return values.Any(v =>
            v == "*" || v == account || v.EndsWith($"::{account}:root", StringComparison.Ordinal) ||
            (roleArn is not null && string.Equals(v, roleArn, StringComparison.Ordinal)));
    }

    private static bool ConditionsMet(JsonObject? conditions, Dictionary<string, string> context)
    {
        if (conditions is null)
        {
            return true;
        }

        foreach (var (operatorName, block) in conditions)
        {
            if (block is not JsonObject keys)
            {
                return false;
            }

            foreach (var (key, expected) in keys)
            {
                var present = context.TryGetValue(key, out var actual);
                var values = Strings(expected).ToList();
                var met = operatorName switch
                {
                    "StringEquals" or "ArnEquals" or "Bool" => present && values.Contains(actual!, StringComparer.Ordinal),
                    "StringEqualsIgnoreCase" => present && values.Contains(actual!, StringComparer.OrdinalIgnoreCase),
                    "StringLike" or "ArnLike" => present && values.Any(v => Matches(v, actual!)),
                    "StringNotEquals" or "ArnNotEquals" => present && !values.Contains(actual!, StringComparer.Ordinal),
                    "StringNotLike" or "ArnNotLike" => present && !values.Any(v => Matches(v, actual!)),
                    _ => false,
                };
                if (!met)
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static bool Matches(string pattern, string value) =>
        Regex.IsMatch(value, "^" + Regex.Escape(pattern).Replace("\\*", ".*", StringComparison.Ordinal).Replace("\\?", ".", StringComparison.Ordinal) + "$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    private static IEnumerable<string> Strings(JsonNode? node) => node switch
    {
        JsonArray array => array.Select(n => (string?)n ?? string.Empty),
        JsonValue value => [(string?)value ?? string.Empty],
        _ => [],
    };
}
