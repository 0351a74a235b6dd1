using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rekey.Backup;

/// <summary>The backup vault access policy statement that lets the cluster's account copy into the vault, merged with what is there.</summary>
public static class VaultPolicies
{
    public const string CopyAction = "backup:CopyIntoBackupVault";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>One statement per source account, so several clusters' accounts can share a vault.</summary>
    public static string SidFor(string sourceAccount) => $"RekeyCopyIntoVaultFrom{sourceAccount}";

    public static JsonObject CopyStatement(string partition, string sourceAccount) => new()
    {
        ["Sid"] = SidFor(sourceAccount),
        ["Effect"] = "Allow",
        ["Principal"] = new JsonObject { ["AWS"] = $"arn:{partition}:iam::{sourceAccount}:root" },
        ["Action"] = CopyAction,
        ["Resource"] = "*",
    };

    /// <summary>
    /// Whether an Allow statement admits <paramref name="sourceAccount"/> to copy in, by account or by
    /// organization (a <c>*</c> principal with an aws:PrincipalOrgID condition), and no Deny names it.
    /// </summary>
    public static bool AllowsCopyFrom(string? policy, string sourceAccount)
    {
        if (string.IsNullOrWhiteSpace(policy))
        {
            return false;
        }

        var allowed = false;
        foreach (var statement in Statements(JsonNode.Parse(policy)))
        {
            if (!Strings(statement["Action"]).Any(a => Matches(a, CopyAction)))
            {
                continue;
            }

            var principals = Principals(statement["Principal"]).ToList();
            var namesAccount = principals.Any(p => p == sourceAccount || p.EndsWith($"::{sourceAccount}:root", StringComparison.Ordinal));
            var everyone = principals.Contains("*");
            var effect = (string?)statement["Effect"];
            if (string.Equals(effect, "Deny", StringComparison.Ordinal) && (namesAccount || everyone))
            {
                return false;
            }

            if (string.Equals(effect, "Allow", StringComparison.Ordinal)
                && (namesAccount || (everyone && OrganizationScoped(statement["Condition"]))))
            {
                allowed = true;
            }
        }

        return allowed;
    }

    /// <summary>
    /// The policy with Rekey's statement for <paramref name="sourceAccount"/> in it, every other statement
    /// kept as it was; null when the policy already lets the account copy in (nothing to write).
    /// </summary>
    public static string? Merge(string? policy, string partition, string sourceAccount)
    {
        if (AllowsCopyFrom(policy, sourceAccount))
        {
            return null;
        }

        var root = string.IsNullOrWhiteSpace(policy)
            ? new JsonObject { ["Version"] = "2012-10-17" }
            : JsonNode.Parse(policy)?.AsObject() ?? new JsonObject { ["Version"] = "2012-10-17" };
        var statements = root["Statement"] switch
        {
            JsonArray array => array,
            JsonObject single => new JsonArray(single.DeepClone()),
            _ => [],
        };
        foreach (var ours in statements.OfType<JsonObject>().Where(s => (string?)s["Sid"] == SidFor(sourceAccount)).ToList())
        {
            statements.Remove(ours);
        }

        statements.Add(CopyStatement(partition, sourceAccount));
        root["Version"] ??= "2012-10-17";
        root["Statement"] = statements;
        return root.ToJsonString(Indented);
    }

    private static IEnumerable<JsonObject> Statements(JsonNode? root) => root?["Statement"] switch
    {
        JsonArray array => array.OfType<JsonObject>(),
        JsonObject single => [single],
        _ => [],
    };

    private static IEnumerable<string> Principals(JsonNode? principal) => principal switch
    {
        JsonValue value => [(string?)value ?? string.Empty],
        JsonObject obj => Strings(obj["AWS"]),
        _ => [],
    };

    private static bool OrganizationScoped(JsonNode? condition) =>
        condition is JsonObject operators
        && operators.Any(o => o.Value is JsonObject keys && keys.Any(k => string.Equals(k.Key, "aws:PrincipalOrgID", StringComparison.OrdinalIgnoreCase)));

    private static IEnumerable<string> Strings(JsonNode? node) => node switch
    {
        JsonArray array => array.Select(n => (string?)n ?? string.Empty),
        JsonValue value => [(string?)value ?? string.Empty],
        _ => [],
    };

    private static bool Matches(string pattern, string action) =>
        pattern == "*"
        || (pattern.EndsWith('*')
            ? action.StartsWith(pattern[..^1], StringComparison.OrdinalIgnoreCase)
            : string.Equals(pattern, action, StringComparison.OrdinalIgnoreCase));
}
