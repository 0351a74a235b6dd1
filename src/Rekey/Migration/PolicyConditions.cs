using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Rekey.Migration;

/// <summary>What a policy condition comes to for a request.</summary>
public enum ConditionOutcome
{
    /// <summary>The condition does not hold: the statement does not apply.</summary>
    NotMet,

    /// <summary>The condition holds.</summary>
    Met,

    /// <summary>It depends on something Preflight cannot know (a key's value in the actual request, an operator it does not evaluate).</summary>
    Unknown,
}

/// <summary>
/// IAM's condition operators, written from AWS's "IAM JSON policy elements: Condition operators" page: a key absent
/// from the request context matches no value, so a positive operator does not hold and a negated one
/// (StringNotEquals, StringNotLike, ArnNotEquals, ArnNotLike, NumericNotEquals, DateNotEquals, NotIpAddress) does;
/// ...IfExists holds when the key is absent and otherwise tests the key; Null tests presence alone;
/// ForAllValues holds and ForAnyValue does not for an absent key. Where the outcome depends on what Preflight
/// cannot know, the answer is <see cref="ConditionOutcome.Unknown"/> and the caller fails closed.
/// </summary>
public static class PolicyConditions
{
    private static readonly string[] Negated =
        ["StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike", "ArnNotEquals", "ArnNotLike", "NumericNotEquals", "DateNotEquals", "NotIpAddress"];

    private static readonly string[] Known =
    [
        "StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "StringLike", "StringNotLike",
        "ArnEquals", "ArnNotEquals", "ArnLike", "ArnNotLike", "Bool",
        "NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals",
        "DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals",
        "IpAddress", "NotIpAddress", "BinaryEquals", "Null",
    ];

    /// <summary>One operator on one key whose value in the request is <paramref name="actual"/> (null: the key is absent).</summary>
    public static ConditionOutcome Evaluate(string operatorName, string? actual, IReadOnlyList<string> values)
    {
        ArgumentNullException.ThrowIfNull(operatorName);
        ArgumentNullException.ThrowIfNull(values);
        var colon = operatorName.IndexOf(':', StringComparison.Ordinal);
        var qualifier = colon < 0 ? null : operatorName[..colon];
        var name = operatorName[(colon + 1)..];
        var ifExists = name != "Null" && name.EndsWith("IfExists", StringComparison.Ordinal);
        var comparison = ifExists ? name[..^"IfExists".Length] : name;
        if (qualifier is not (null or "ForAnyValue" or "ForAllValues") || !Known.Contains(comparison, StringComparer.Ordinal))
        {
            return ConditionOutcome.Unknown;
        }

        if (comparison == "Null")
        {
            return values.Count == 0 || values.Any(v => !bool.TryParse(v, out _))
                ? ConditionOutcome.Unknown
                : Outcome(values.Any(v => bool.Parse(v) == (actual is null)));
        }

        if (actual is null)
        {
            return ifExists || qualifier == "ForAllValues" ? ConditionOutcome.Met
                : qualifier == "ForAnyValue" ? ConditionOutcome.NotMet
                : Outcome(Negated.Contains(comparison, StringComparer.Ordinal));
        }

        return comparison switch
        {
            "StringEquals" => Outcome(values.Contains(actual, StringComparer.Ordinal)),
            "StringNotEquals" => Outcome(!values.Contains(actual, StringComparer.Ordinal)),
            "StringEqualsIgnoreCase" => Outcome(values.Contains(actual, StringComparer.OrdinalIgnoreCase)),
            "StringNotEqualsIgnoreCase" => Outcome(!values.Contains(actual, StringComparer.OrdinalIgnoreCase)),

            // ArnEquals and ArnLike are the same test in IAM: wildcards allowed, case-sensitive.
            "StringLike" or "ArnLike" or "ArnEquals" => Outcome(values.Any(v => Like(v, actual))),
            "StringNotLike" or "ArnNotLike" or "ArnNotEquals" => Outcome(!values.Any(v => Like(v, actual))),
            "Bool" => Outcome(values.Contains(actual, StringComparer.OrdinalIgnoreCase)),
            _ when comparison.StartsWith("Numeric", StringComparison.Ordinal) => Compare(comparison["Numeric".Length..], actual, values, ParseNumber),
            _ when comparison.StartsWith("Date", StringComparison.Ordinal) => Compare(comparison["Date".Length..], actual, values, ParseDate),

            // IP addresses and binary values are not in any context Rekey builds.
            _ => ConditionOutcome.Unknown,
        };
    }

    /// <summary>
    /// A statement's whole Condition element: every operator and every key must hold. A key missing from
    /// <paramref name="context"/> is unknown; a key mapped to null is known to be absent from the request.
    /// </summary>
    /// <param name="conditions">The Condition element.</param>
    /// <param name="context">The request context.</param>
    /// <param name="undecided">The first "operator key" that made the outcome <see cref="ConditionOutcome.Unknown"/>.</param>
    public static ConditionOutcome EvaluateAll(JsonObject? conditions, IReadOnlyDictionary<string, string?> context, out string? undecided)
    {
        ArgumentNullException.ThrowIfNull(context);
        undecided = null;
        if (conditions is null)
        {
            return ConditionOutcome.Met;
        }

        foreach (var (operatorName, block) in conditions)
        {
            if (block is not JsonObject keys)
            {
                undecided ??= operatorName;
                continue;
            }

            foreach (var (key, expected) in keys)
            {
                var outcome = context.TryGetValue(key, out var actual)
                    ? Evaluate(operatorName, actual, Strings(expected))
                    : ConditionOutcome.Unknown;
                if (outcome == ConditionOutcome.NotMet)
                {
                    // One condition that surely fails decides the statement, whatever the others are.
                    undecided = null;
                    return ConditionOutcome.NotMet;
                }

                if (outcome == ConditionOutcome.Unknown)
                {
                    undecided ??= $"{operatorName} {key}";
                }
            }
        }

        return undecided is null ? ConditionOutcome.Met : ConditionOutcome.Unknown;
    }

    private static ConditionOutcome Outcome(bool holds) => holds ? ConditionOutcome.Met : ConditionOutcome.NotMet;

    private static ConditionOutcome Compare<T>(string relation, string actual, IReadOnlyList<string> values, Func<string, T?> parse)
        where T : struct, IComparable<T>
    {
        if (parse(actual) is not { } left || values.Count == 0 || values.Any(v => parse(v) is null))
        {
            return ConditionOutcome.Unknown;
        }

        var rights = values.Select(v => parse(v)!.Value).ToList();
        return relation switch
        {
            "Equals" => Outcome(rights.Any(r => left.CompareTo(r) == 0)),
            "NotEquals" => Outcome(rights.All(r => left.CompareTo(r) != 0)),
            "LessThan" => Outcome(rights.Any(r => left.CompareTo(r) < 0)),
            "LessThanEquals" => Outcome(rights.Any(r => left.CompareTo(r) <= 0)),
            "GreaterThan" => Outcome(rights.Any(r => left.CompareTo(r) > 0)),
            "GreaterThanEquals" => Outcome(rights.Any(r => left.CompareTo(r) >= 0)),
            _ => ConditionOutcome.Unknown,
        };
    }

    private static decimal? ParseNumber(string text) =>
        decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;

    private static DateTimeOffset? ParseDate(string text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value) ? value
        : long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var epoch) ? DateTimeOffset.FromUnixTimeSeconds(epoch)
        : null;

    private static bool Like(string pattern, string value) => Like(pattern, value, RegexOptions.CultureInvariant | RegexOptions.Singleline);

    /// <summary>IAM's wildcard match: <c>*</c> any run of characters, <c>?</c> any one, the rest literally.</summary>
    internal static bool Like(string pattern, string value, RegexOptions options) =>
        Regex.IsMatch(
            value,
            "^" + Regex.Escape(pattern).Replace("\\*", ".*", StringComparison.Ordinal).Replace("\\?", ".", StringComparison.Ordinal) + "$",
            options,
            TimeSpan.FromSeconds(1));

    private static List<string> Strings(JsonNode? node) => node switch
    {
        JsonArray array => [.. array.Select(n => n?.ToString() ?? string.Empty)],
        JsonValue value => [value.ToString()],
        _ => [],
    };
}
