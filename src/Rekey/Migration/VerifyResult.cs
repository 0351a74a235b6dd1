using System.Text.Json.Serialization;
using Rekey.Checks;

namespace Rekey.Migration;

/// <summary>What Verify checked and found, for the report.</summary>
public sealed record VerifyResult
{
    public required string ClusterId { get; init; }

    /// <summary>Every item, passed, failed or not measured.</summary>
    [JsonIgnore]
    public Checklist Checks { get; init; } = new();

    public IReadOnlyList<string> Checked => Checks.Passed;

    public IReadOnlyList<string> Problems => Checks.Failed;

    /// <summary>Checks that could not be made, each with the reason and what shows it otherwise; never counted as passed.</summary>
    public IReadOnlyList<CheckItem> NotMeasured => Checks.NotMeasured;

    public DateTimeOffset? FencedAt { get; init; }

    public DateTimeOffset? T1 { get; init; }

    public DateTimeOffset? WriterAvailableAt { get; init; }

    /// <summary>The write outage on AWS's clock: from the rename to the writer being reachable at the old address.</summary>
    public TimeSpan? Outage => FencedAt is { } start && WriterAvailableAt is { } end ? end - start : null;

    public string? TargetKeyArn { get; init; }

    /// <summary>Commits CloudWatch counted on the old cluster after T1 (evidence that nothing written after the fence is missing); null when not measured.</summary>
    public double? CommitsOnOldClusterAfterT1 { get; init; }

    /// <summary>Nothing failed and every essential check was measured.</summary>
    public bool Passed => Checks.AllPassed;
}
