using Rekey.Checks;
using Rekey.Clusters;
using Rekey.Runtime;

namespace Rekey.Forecast;

/// <summary>
/// The dress rehearsal's claim, read from AWS when it ends: its copy and the copy's writer are gone (they are billed
/// while they exist), and the cluster carries this run's measured times, which Plan's forecast reads.
/// </summary>
public static class DressRehearsalRead
{
    public static async Task RequireAsync(RekeyRun run, DressRehearsalResult result, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(result);
        var reader = new ClusterReader(run.Rds);
        var read = new Checklist();
        var copy = await reader.FindClusterAsync(result.DressClusterId, cancellationToken).ConfigureAwait(false);
        read.Check(
            copy is null or { Status: "deleting" },
            copy is null ? $"no DB cluster is named {result.DressClusterId}" : $"the copy {result.DressClusterId} is being deleted",
            $"AWS still shows the dress rehearsal's copy {result.DressClusterId} ({copy?.Status}); it is billed until deleted: run DressRehearsal again (same --run-id) to delete it.");
        var writerId = DressRehearsalCluster.WriterNameFor(run.ClusterId);
        var writer = await reader.FindInstanceAsync(writerId, cancellationToken).ConfigureAwait(false);
        read.Check(
            writer is null or { DBInstanceStatus: "deleting" },
            writer is null ? $"no DB instance is named {writerId}" : $"the copy's writer {writerId} is being deleted",
            $"AWS still shows the copy's writer {writerId} ({writer?.DBInstanceStatus}); run DressRehearsal again (same --run-id) to delete it.");
        var source = await reader.FindClusterAsync(run.ClusterId, cancellationToken).ConfigureAwait(false);
        var recorded = source is null ? null : DressRehearsalRecord.From(source);
        read.Check(
            recorded is not null && recorded.RunId == run.RunId && Same(recorded.Restore, result.Record.Restore) && Same(recorded.Writer, result.Record.Writer),
            $"{run.ClusterId} carries this run's measured times (restore {DressRehearsalRecord.Text(result.Record.Restore)}, writer {DressRehearsalRecord.Text(result.Record.Writer)})",
            recorded is null
                ? $"AWS shows no dress rehearsal times on {run.ClusterId} (tags {DressRehearsalRecord.RunIdTag}, ...): Plan has no measured forecast."
                : $"AWS shows the dress rehearsal times of run {recorded.RunId} on {run.ClusterId} "
                  + $"(restore {DressRehearsalRecord.Text(recorded.Restore)}, writer {DressRehearsalRecord.Text(recorded.Writer)}), not this run's.");
        ReadAtTheEnd.Require(run, "DressRehearsal", $"the copy of {run.ClusterId} is measured, recorded and deleted", read);
    }

    /// <summary>The tags keep whole seconds.</summary>
    private static bool Same(TimeSpan recorded, TimeSpan measured) => Math.Abs(recorded.TotalSeconds - measured.TotalSeconds) <= 0.5;
}
