using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Rekey.Migration;

/// <summary>
/// What an approval of a plan approves: the cluster, Region, target key, strategy and its steps, the names, every carried
/// setting and the dress rehearsal the forecast quotes. Its digest is what Plan prints and <c>--approved-plan</c> holds a
/// cutover to: anything here that differs when the cutover starts means the approved plan is no longer the one it would run.
/// </summary>
public sealed record PlanDigest
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public required string Cluster { get; init; }

    public required string Region { get; init; }

    public string? TargetKey { get; init; }

    public string? Strategy { get; init; }

    public required IReadOnlyList<string> Steps { get; init; }

    public required IReadOnlyList<string> Names { get; init; }

    public required IReadOnlyList<string> Settings { get; init; }

    /// <summary>The dress rehearsal the forecast quotes (its measured times), or null when none is recorded.</summary>
    public string? DressRehearsal { get; init; }

    /// <summary><c>sha256:</c> and the hex SHA-256 of the members as JSON, in their declared order.</summary>
    public string Value() =>
        "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(this, Json))));

    /// <summary>What differs from <paramref name="approved"/>, one line per member, with the values now and approved.</summary>
    public IReadOnlyList<string> DifferencesFrom(PlanDigest approved)
    {
        ArgumentNullException.ThrowIfNull(approved);
        var differences = new List<string>();
        Single("cluster", Cluster, approved.Cluster);
        Single("Region", Region, approved.Region);
        Single("target key", TargetKey, approved.TargetKey);
        Single("strategy", Strategy, approved.Strategy);
        Single("dress rehearsal", DressRehearsal, approved.DressRehearsal);
        Several("steps", Steps, approved.Steps);
        Several("names", Names, approved.Names);
        Several("settings", Settings, approved.Settings);
        return differences;

        void Single(string what, string? now, string? then)
        {
            if (!string.Equals(now, then, StringComparison.Ordinal))
            {
                differences.Add($"{what}: now {now ?? "none"}, approved {then ?? "none"}");
            }
        }

        void Several(string what, IReadOnlyList<string> now, IReadOnlyList<string> then)
        {
            var added = now.Except(then, StringComparer.Ordinal).ToList();
            var removed = then.Except(now, StringComparer.Ordinal).ToList();
            if (added.Count > 0 || removed.Count > 0)
            {
                differences.Add($"{what}: now also {(added.Count == 0 ? "nothing" : string.Join("; ", added))}; approved also {(removed.Count == 0 ? "nothing" : string.Join("; ", removed))}");
            }
            else if (!now.SequenceEqual(then, StringComparer.Ordinal))
            {
                differences.Add($"{what}: the same, in another order");
            }
        }
    }

    /// <summary>The digest's members from a plan.json Plan wrote (its <c>approval</c>), or null when it has none.</summary>
    public static PlanDigest? FromPlanJson(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.TryGetProperty("approval", out var approval) ? approval.Deserialize<PlanDigest>(Json) : null;
    }
}

/// <summary>A cutover refused because what it would do now is not the plan that was approved; nothing was changed.</summary>
public sealed class PlanChangedException : Exception
{
    public PlanChangedException()
    {
    }

    public PlanChangedException(string message)
        : base(message)
    {
    }

    public PlanChangedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
