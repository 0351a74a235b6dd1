using System.Text.Json.Serialization;

namespace Rekey.Notifications;

/// <summary>One announcement of a step: what the SNS Message carries, as JSON.</summary>
public sealed record StepEvent
{
    /// <summary>started, succeeded, skipped or failed.</summary>
    public required string Status { get; init; }

    public required string Step { get; init; }

    public string? Cluster { get; init; }

    public string? Environment { get; init; }

    public required string Run { get; init; }

    public string? Region { get; init; }

    public double? DurationSeconds { get; init; }

    /// <summary>Why a step failed; for any other status, what it did (its journal entries, one per line).</summary>
    public string? Details { get; init; }

    /// <summary>What the step established, by name (e.g. target-key, backup-job-id, recovery-point-arn).</summary>
    public IReadOnlyDictionary<string, string>? Facts { get; init; }

    /// <summary>Moments the step recorded on AWS's clock, by name (e.g. t1, backup-job-completed).</summary>
    public IReadOnlyDictionary<string, DateTimeOffset>? Times { get; init; }

    /// <summary>The GitHub Actions run's page, when the step runs there.</summary>
    public string? RunUrl { get; init; }

    [JsonIgnore]
    public string Subject =>
        Truncate($"Rekey {Step} {Status}{(Cluster is null ? string.Empty : $": {Cluster}")}{(Environment is null ? string.Empty : $" ({Environment})")}", 100);

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";
}
