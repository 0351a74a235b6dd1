using Microsoft.Extensions.Logging;
using Rekey.Migration;
using Rekey.Runtime;

namespace Rekey.Checks;

/// <summary>
/// A target's claim, checked against what AWS shows when the target ends: each item is what was read now, never what
/// an earlier step remembered. The items go to the report (under "<c>step</c> (read from AWS at the end)"); a claim AWS
/// contradicts, or one AWS would not let Rekey read, fails the target with exit code 7, naming what AWS shows.
/// </summary>
public static class ReadAtTheEnd
{
    public static string StepName(string step) => $"{step} (read from AWS at the end)";

    public static void Require(RekeyRun run, string step, string claim, Checklist read)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(read);
        run.Journal.RecordChecks(StepName(step), read);
        foreach (var item in read.Items.Where(i => i.Outcome == CheckOutcome.Passed))
        {
            run.Log.LogInformation("{Step}, read from AWS at the end: {Item}", step, item.Detail);
        }

        if (!read.AllPassed)
        {
            throw new VerificationFailedException(
                $"{step} cannot report that {claim}: what AWS shows now differs ({read.Summary()}). Nothing was undone; "
                + "describe the resources named below (aws rds describe-db-clusters, describe-db-cluster-snapshots) before running anything else.",
                read);
        }
    }
}
