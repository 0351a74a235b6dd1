namespace Rekey.Migration;

/// <summary>What Verify checked and found, for the report.</summary>
public sealed record VerifyResult
{
    public required string ClusterId { get; init; }

    public required IReadOnlyList<string> Checked { get; init; }

    public required IReadOnlyList<string> Problems { get; init; }

    public DateTimeOffset? FencedAt { get; init; }

    public DateTimeOffset? T1 { get; init; }

    public DateTimeOffset? WriterAvailableAt { get; init; }

    /// <summary>The write outage on AWS's clock: from the rename to the writer being reachable at the old address.</summary>
    public TimeSpan? Outage => FencedAt is { } start && WriterAvailableAt is { } end ? end - start : null;

    public string? TargetKeyArn { get; init; }

    /// <summary>Commits CloudWatch counted on the old cluster after T1 (evidence that nothing written after the fence is missing).</summary>
    public double? CommitsOnOldClusterAfterT1 { get; init; }

    public bool Passed => Problems.Count == 0;
}
