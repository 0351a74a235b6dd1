namespace Rekey.Migration;

/// <summary>Everything Preflight found, blocking or not, so the operator can fix it all in one round.</summary>
public sealed record PreflightReport
{
    public required string ClusterId { get; init; }

    public IReadOnlyList<string> Blocks { get; init; } = [];

    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>The cluster already uses the requested key: there is nothing to do.</summary>
    public bool NothingToDo { get; init; }

    /// <summary>A cutover of this cluster is under way (fenced by this run, or not locked): the steps resume it.</summary>
    public bool Resuming { get; init; }

    /// <summary>The key the new cluster will use, as resolved (ARN), when it exists already.</summary>
    public string? TargetKeyArn { get; init; }

    /// <summary>The strategy this cutover uses: what was asked, or what auto chose.</summary>
    public Configuration.CutoverStrategy Strategy { get; init; } = Configuration.CutoverStrategy.RestoreSwap;

    /// <summary>Why <see cref="Strategy"/> was chosen, in words.</summary>
    public string? StrategyReason { get; init; }

    /// <summary>Blue/Green's verdict on the cluster; null when Preflight resumed a cutover or found nothing to check.</summary>
    public Strategies.BlueGreenVerdict? BlueGreen { get; init; }

    /// <summary>What would block restore-swap, for Plan's side by side view (the chosen strategy's are in <see cref="Blocks"/>).</summary>
    public IReadOnlyList<string> RestoreSwapBlocks { get; init; } = [];

    /// <summary>The run whose lock Preflight found on the cluster, when another run holds it (its block is in <see cref="Blocks"/>).</summary>
    public string? HeldBy { get; init; }

    /// <summary>What blocks restore-swap and not Blue/Green (an unencrypted source, the old names, a managed master secret).</summary>
    public IReadOnlyList<string> RestoreSwapOnlyBlocks { get; init; } = [];

    /// <summary>What blocks every way out (the target key, the cluster's state, a lock held by another run).</summary>
    public IReadOnlyList<string> CommonBlocks { get; init; } = [];

    /// <summary>The source's StorageEncryptionType (none, sse-rds or sse-kms), when Preflight read the cluster.</summary>
    public string? SourceEncryptionType { get; init; }

    /// <summary>Every item Preflight checked, passed, failed or not measured; not measured is never passed.</summary>
    public IReadOnlyList<Checks.CheckItem> Checks { get; init; } = [];

    public bool Passed => Blocks.Count == 0;
}

/// <summary>Preflight found what must be fixed before the cutover can start; nothing was changed.</summary>
public sealed class PreflightFailedException : Exception
{
    public PreflightFailedException(PreflightReport report)
        : base(Describe(report))
    {
        Report = report;
    }

    public PreflightFailedException()
    {
        Report = new PreflightReport { ClusterId = string.Empty };
    }

    public PreflightFailedException(string message)
        : base(message)
    {
        Report = new PreflightReport { ClusterId = string.Empty, Blocks = [message] };
    }

    public PreflightFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
        Report = new PreflightReport { ClusterId = string.Empty, Blocks = [message] };
    }

    public PreflightReport Report { get; }

    private static string Describe(PreflightReport report) =>
        $"Preflight of {report.ClusterId} found {report.Blocks.Count} blocking problem{(report.Blocks.Count == 1 ? string.Empty : "s")}; nothing was changed:"
        + Environment.NewLine + string.Join(Environment.NewLine, report.Blocks.Select(b => "  - " + b));
}
