namespace Rekey.BlueGreen;

/// <summary>What the switchover and the checks after it found.</summary>
public sealed record BlueGreenResult
{
    /// <summary>Every item VerifyBlueGreen checked, passed, failed or not measured.</summary>
    public Checks.Checklist Checks { get; init; } = new();

    public IReadOnlyList<string> Checked => Checks.Passed;

    public IReadOnlyList<string> Problems => Checks.Failed;

    /// <summary>Aurora PostgreSQL: the query to run on the old blue, whose output (setval statements) must run on the new cluster.</summary>
    public string? SequenceQuery { get; init; }

    /// <summary>When the switchover was asked for and when AWS reported it completed (AWS's clock).</summary>
    public DateTimeOffset? SwitchoverStarted { get; init; }

    public DateTimeOffset? SwitchedAt { get; init; }

    /// <summary>Nothing failed and every essential check was measured.</summary>
    public bool Passed => Checks.AllPassed;
}
