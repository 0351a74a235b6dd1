using Amazon.Runtime;

namespace Rekey.Checks;

/// <summary>
/// Preflight's verification items, each passed, failed or not measured. A check is a read whose findings Preflight
/// adds to its list of blocks: none found is passed, each one found is failed, and a read AWS refuses is not measured,
/// with what to look at instead. An essential item not measured is a block as well (the cutover would rest on it);
/// a supplementary one (what only warns) is listed and Preflight goes on.
/// </summary>
public sealed class PreflightChecks
{
    public Checklist Items { get; } = new();

    /// <summary>
    /// Runs <paramref name="check"/>, which adds what it finds to <paramref name="findings"/>: blocks when
    /// <paramref name="essential"/>, warnings otherwise (a warning is no failure: the item passed, the warning says more).
    /// </summary>
    public async Task RunAsync(string what, List<string> findings, Func<Task> check, string lookInstead, bool essential = true)
    {
        ArgumentNullException.ThrowIfNull(findings);
        ArgumentNullException.ThrowIfNull(check);
        var before = findings.Count;
        try
        {
            await check().ConfigureAwait(false);
        }
        catch (AmazonServiceException exception) when (IsRefusal(exception))
        {
            var why = $"AWS refused a read it needs ({exception.ErrorCode}: {exception.Message}).";
            Items.NotMeasuredBecause(what, why, lookInstead, essential);
            if (essential)
            {
                findings.Add($"Not measured: {what}: {why} Look instead at: {lookInstead}; or allow the read to the run's role and run Preflight again.");
            }

            return;
        }

        var found = findings.Skip(before).ToList();
        if (!essential || found.Count == 0)
        {
            Items.Pass(what);
            return;
        }

        foreach (var problem in found)
        {
            Items.Fail(what, problem);
        }
    }

    /// <summary>Records a check Preflight made without a read of its own: passed when it found nothing, else failed per finding.</summary>
    public void Record(string what, IEnumerable<string> found)
    {
        ArgumentNullException.ThrowIfNull(found);
        var problems = found.ToList();
        if (problems.Count == 0)
        {
            Items.Pass(what);
        }

        foreach (var problem in problems)
        {
            Items.Fail(what, problem);
        }
    }

    /// <summary>AWS's answers that mean "you may not read this", as IAM, RDS and KMS spell them.</summary>
    public static bool IsRefusal(AmazonServiceException exception) =>
        exception?.ErrorCode is "AccessDenied" or "AccessDeniedException" or "UnauthorizedOperation" or "UnauthorizedException";
}
