using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Rekey.Migration;

/// <summary>Which of RDS's actions a key policy leaves the run without, and why, naming the statements.</summary>
/// <param name="Missing">The actions the policy does not let RDS take for the run.</param>
/// <param name="Reasons">The statements that deny, or that were not counted, and their conditions.</param>
/// <param name="Undecided">The missing actions no statement decides: only conditions that depend on RDS's request stand in the way.</param>
public sealed record KeyUseCheck(IReadOnlyList<string> Missing, IReadOnlyList<string> Reasons, IReadOnlyList<string> Undecided);

/// <summary>
/// Whether a key policy lets the run's principal have RDS use the key: the KMS actions RDS needs from the
/// caller (<see cref="RdsActions"/>) asked with the context RDS asks them in (kms:ViaService of the
/// Region, kms:CallerAccount, kms:GrantIsForAWSResource for the grant). The rules are KMS's for a key
/// policy: a matching Deny wins, and nothing is allowed without a matching Allow; a principal is
/// "*", the account (its id or root ARN: the account delegates to IAM) or the run's own role. Conditions are
/// evaluated as IAM does (<see cref="PolicyConditions"/>). A condition whose outcome depends on the actual request
/// (a key this check cannot know) fails closed: such a Deny is taken as applying and such an Allow as not granting.
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
    public static IReadOnlyList<string> MissingForRds(string policy, string account, string? roleArn, string region) =>
        CheckForRds(policy, account, roleArn, region).Missing;

    /// <summary>As <see cref="MissingForRds"/>, with the reasons: the statements that deny, or that were not counted, and their conditions.</summary>
    /// <param name="policy">The key policy document.</param>
    /// <param name="account">The run's account.</param>
    /// <param name="roleArn">arn:…:iam::ACCOUNT:role/NAME of the run's role session; null for the account's own credentials.</param>
    /// <param name="region">The cluster's Region, which names kms:ViaService.</param>
    public static KeyUseCheck CheckForRds(string policy, string account, string? roleArn, string region)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(policy);
        }
        catch (System.Text.Json.JsonException)
        {
            return new KeyUseCheck(RdsActions, ["the key policy is not valid JSON"], []);
        }

        var statements = root?["Statement"] switch
        {
            JsonArray array => array.OfType<JsonObject>().ToList(),
            JsonObject single => [single],
            _ => [],
        };

        var missing = new List<string>();
        var undecidedActions = new List<string>();
        var reasons = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var action in RdsActions)
        {
            var verdict = Judge(statements, action, account, roleArn, ContextFor(action, account, roleArn, region));
            if (verdict.Denials.Count == 0 && verdict.Allowed)
            {
                continue;
            }

            missing.Add(action);
            if (!verdict.Denied && (verdict.Denials.Count > 0 || verdict.Uncounted.Count > 0))
            {
                undecidedActions.Add(action);
            }

            foreach (var reason in verdict.Denials.Count > 0 ? verdict.Denials : verdict.Uncounted)
            {
                (reasons.TryGetValue(reason, out var actions) ? actions : reasons[reason] = []).Add(action);
            }
        }

        return new KeyUseCheck(missing, [.. reasons.Select(r => $"{r.Key} ({string.Join(", ", r.Value)})")], undecidedActions);
    }

    /// <summary>
    /// What each statement says about one action: allowed by an Allow whose condition is met, denied by a Deny whose
    /// condition is met; a condition that rests on RDS's request denies under a Deny and is not counted under an Allow.
    /// </summary>
    private static ActionVerdict Judge(
        List<JsonObject> statements, string action, string account, string? roleArn, Dictionary<string, string?> context)
    {
        var verdict = new ActionVerdict();
        for (var index = 0; index < statements.Count; index++)
        {
            var statement = statements[index];
            var deny = Effect(statement) == "Deny";
            var (outcome, undecided) = Applies(statement, action, account, roleArn, context);
            var label = Label(statement, index);
            var unknowable = $"its condition {undecided} depends on the request RDS makes, which Preflight cannot know";
            switch (outcome)
            {
                case ConditionOutcome.Met when deny:
                    verdict.Denied = true;
                    verdict.Denials.Add($"Deny statement {label} denies it");
                    break;
                case ConditionOutcome.Unknown when deny:
                    verdict.Denials.Add($"Deny statement {label} is taken as denying it: {unknowable}");
                    break;
                case ConditionOutcome.Met:
                    verdict.Allowed = true;
                    break;
                case ConditionOutcome.Unknown:
                    verdict.Uncounted.Add($"Allow statement {label} is not counted: {unknowable}");
                    break;
            }
        }

        return verdict;
    }

    /// <summary>One action's reading of the policy: whether a statement allows or denies it, and the statements that deny or do not count.</summary>
    private sealed class ActionVerdict
    {
        public bool Allowed { get; set; }

        public bool Denied { get; set; }

        public List<string> Denials { get; } = [];

        public List<string> Uncounted { get; } = [];
    }

    /// <summary>
    /// The request context of RDS's call for the caller. A key mapped to null is known to be absent; a key not
    /// listed is unknown (aws:SourceVpce, aws:ViaAWSService, encryption context, tags: they depend on the request).
    /// </summary>
    private static Dictionary<string, string?> ContextFor(string action, string account, string? roleArn, string region) => new(StringComparer.OrdinalIgnoreCase)
    {
        ["kms:ViaService"] = $"rds.{region}.amazonaws.com",
        ["kms:CallerAccount"] = account,
        ["aws:PrincipalAccount"] = account,
        ["aws:PrincipalArn"] = roleArn ?? $"arn:aws:iam::{account}:root",

        // KMS puts it in grant operations only.
        ["kms:GrantIsForAWSResource"] = action == "kms:CreateGrant" ? "true" : null,
    };

    private static string Label(JsonObject statement, int index) =>
        statement["Sid"] is JsonValue sid && sid.ToString() is { Length: > 0 } text ? $"\"{text}\"" : $"#{index + 1} (no Sid)";

    private static string? Effect(JsonObject statement) => (string?)statement["Effect"];

    private static (ConditionOutcome Outcome, string? Undecided) Applies(JsonObject statement, string action, string account, string? roleArn, Dictionary<string, string?> context)
    {
        var actionMatches = statement["NotAction"] is { } notAction
            ? !Strings(notAction).Any(pattern => Matches(pattern, action))
            : Strings(statement["Action"]).Any(pattern => Matches(pattern, action));
        if (!actionMatches)
        {
            return (ConditionOutcome.NotMet, null);
        }

        if (statement["NotPrincipal"] is not null)
        {
            // Which principals NotPrincipal leaves out is not evaluated here: fail closed.
            return (ConditionOutcome.Unknown, "NotPrincipal");
        }

        if (!NamesPrincipal(statement["Principal"], account, roleArn))
        {
            return (ConditionOutcome.NotMet, null);
        }

        var outcome = PolicyConditions.EvaluateAll(statement["Condition"] as JsonObject, context, out var undecided);
        return (outcome, undecided);
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

    // Actions compare without regard to case, as IAM compares them.
    private static bool Matches(string pattern, string value) =>
        PolicyConditions.Like(pattern, value, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    private static IEnumerable<string> Strings(JsonNode? node) => node switch
    {
        JsonArray array => array.Select(n => (string?)n ?? string.Empty),
        JsonValue value => [(string?)value ?? string.Empty],
        _ => [],
    };
}
