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

    public string? Details { get; init; }

    /// <summary>The GitHub Actions run's page, when the step runs there.</summary>
    public string? RunUrl { get; init; }

    [JsonIgnore]
    public string Subject =>
        Truncate($"Rekey {Step} {Status}{(Cluster is null ? string.Empty : $": {Cluster}")}{(Environment is null ? string.Empty : $" ({Environment})")}", 100);

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";
}
