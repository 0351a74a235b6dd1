using Microsoft.Extensions.Logging;
using Rekey.Aws.RDS.Model;
using Rekey.Reporting;
using Rekey.Runtime;

namespace Rekey.Forecast;

/// <summary>How Plan and Cleanup learn of dress rehearsals: the measured times on the cluster's tags, and any copy left behind.</summary>
public static class DressRehearsalForecast
{
    /// <summary>Plan's outage lines from the last recorded dress rehearsal of <paramref name="cluster"/>, or null when none is recorded.</summary>
    public static async Task<IReadOnlyList<string>?> LinesAsync(RekeyRun run, DBCluster? cluster, CancellationToken cancellationToken)
    {
        if (cluster is null || DressRehearsalRecord.From(cluster) is not { } record)
        {
            return null;
        }

        var now = await AwsClock.NowAsync(run, cancellationToken).ConfigureAwait(false);
        return record.ForecastLines(now, run.Settings.SwitchoverTimeout);
    }

    /// <summary>Puts a warning in the journal and on the console when a dress rehearsal's copy is still there; the copy itself is left alone.</summary>
    public static async Task ReportStrayAsync(RekeyRun run, string step, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var warnings = new List<string>();
        await DressRehearsalCluster.WarnIfStrayAsync(run, warnings, cancellationToken).ConfigureAwait(false);
        foreach (var warning in warnings)
        {
            run.Journal.Add(step, warning, JournalLevel.Warning);
            run.Log.LogWarning("{Step}: {Warning}", step, warning);
        }
    }
}
