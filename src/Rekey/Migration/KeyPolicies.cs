using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rekey.Migration;

/// <summary>The key policy statements Rekey writes for a key it creates, and the check of an existing key's policy.</summary>
public static class KeyPolicies
{
    public const string AdministrationSid = "RekeyAccountAdministration";
    public const string RdsUseSid = "RekeyRdsUseThroughThisAccount";
    public const string BackupAccountSid = "RekeyBackupAccountCopies";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>
    /// This account administers the key and uses it through RDS; with a backup account, that account may
    /// use it for AWS Backup copies (the actions AWS Backup's cross-account copy needs, grants only for AWS resources).
    /// </summary>
    public static string ForNewKey(string partition, string account, string region, string? backupAccount)
    {
        var statements = new JsonArray
        {
            new JsonObject
            {
                ["Sid"] = AdministrationSid,
                ["Effect"] = "Allow",
                ["Principal"] = new JsonObject { ["AWS"] = $"arn:{partition}:iam::{account}:root" },
                ["Action"] = "kms:*",
                ["Resource"] = "*",
            },
            new JsonObject
            {
                ["Sid"] = RdsUseSid,
                ["Effect"] = "Allow",
                ["Principal"] = new JsonObject { ["AWS"] = $"arn:{partition}:iam::{account}:root" },
                ["Action"] = new JsonArray("kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:CreateGrant", "kms:ListGrants", "kms:DescribeKey"),
                ["Resource"] = "*",
                ["Condition"] = new JsonObject
                {
                    ["StringEquals"] = new JsonObject
                    {
                        ["kms:ViaService"] = $"rds.{region}.amazonaws.com",
                        ["kms:CallerAccount"] = account,
                    },
                },
            },
        };

        if (backupAccount is not null)
        {
            statements.Add(BackupAccountStatement(partition, backupAccount));
        }

        return new JsonObject { ["Version"] = "2012-10-17", ["Statement"] = statements }.ToJsonString(Indented);
    }

    /// <summary>The statement letting the backup account copy recovery points encrypted with the key.</summary>
    public static JsonObject BackupAccountStatement(string partition, string backupAccount) => new()
    {
        ["Sid"] = BackupAccountSid,
        ["Effect"] = "Allow",
        ["Principal"] = new JsonObject { ["AWS"] = $"arn:{partition}:iam::{backupAccount}:root" },
        ["Action"] = new JsonArray("kms:DescribeKey", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:CreateGrant"),
        ["Resource"] = "*",
    };

    /// <summary>Whether some Allow statement of <paramref name="policy"/> names <paramref name="account"/> for every action in <paramref name="actions"/>.</summary>
    public static bool Allows(string policy, string account, params string[] actions)
    {
        var root = JsonNode.Parse(policy);
        var statements = root?["Statement"] switch
        {
            JsonArray array => array.OfType<JsonObject>(),
            JsonObject single => [single],
            _ => [],
        };

        var covered = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var statement in statements)
        {
            if (!string.Equals((string?)statement["Effect"], "Allow", StringComparison.Ordinal) || !NamesAccount(statement["Principal"], account))
            {
                continue;
            }

            foreach (var action in actions.Where(a => Strings(statement["Action"]).Any(pattern => Matches(pattern, a))))
            {
                covered.Add(action);
            }
        }

        return actions.All(covered.Contains);
    }

    /// <summary>Adds the backup account's statement to a policy that lacks it, keeping every statement already there.</summary>
    public static string WithBackupAccount(string policy, string partition, string backupAccount)
    {
        var root = JsonNode.Parse(policy)?.AsObject() ?? new JsonObject { ["Version"] = "2012-10-17" };
        var statements = root["Statement"] switch
        {
            JsonArray array => array,
            JsonObject single => new JsonArray(single.DeepClone()),
            _ => [],
        };
        var existing = statements.OfType<JsonObject>().FirstOrDefault(s => string.Equals((string?)s["Sid"], BackupAccountSid, StringComparison.Ordinal));
        if (existing is not null)
        {
            statements.Remove(existing);
        }

        statements.Add(BackupAccountStatement(partition, backupAccount));
        root["Statement"] = statements;
        return root.ToJsonString(Indented);
    }

    private static bool NamesAccount(JsonNode? principal, string account)
    {
        var values = principal switch
        {
            JsonValue value => [(string?)value ?? string.Empty],
            JsonObject obj => Strings(obj["AWS"]),
            _ => [],
        };
        return values.Any(v => v == account || v == "*" || v.EndsWith($"::{account}:root", StringComparison.Ordinal));
    }

    private static IEnumerable<string> Strings(JsonNode? node) => node switch
    {
        JsonArray array => array.Select(n => (string?)n ?? string.Empty),
        JsonValue value => [(string?)value ?? string.Empty],
        _ => [],
    };

    private static bool Matches(string pattern, string action) =>
        pattern.EndsWith('*')
            ? action.StartsWith(pattern[..^1], StringComparison.OrdinalIgnoreCase)
            : string.Equals(pattern, action, StringComparison.OrdinalIgnoreCase);
}
