using Amazon.Runtime;
using Rekey.Aws.RDS.Model;
using Rekey.Runtime;

namespace Rekey.BlueGreen;

/// <summary>
/// Aurora PostgreSQL's switchover leaves the new cluster's sequences where green's copy left them. When the cluster's
/// RDS Data API is on and --database-secret-arn names a secret, Rekey advances them itself: before the switchover it sets
/// each of green's ahead of blue's by what blue hands out within the switchover timeout at its rate since green was
/// copied, and right after it raises each to at least the old blue's final value. Otherwise VerifyBlueGreen stops
/// with the statements for the operator to run.
/// </summary>
public static class SwitchoverSequences
{
    /// <summary>A journal fact: the sequences were raised to the old blue's final values through the Data API by this run.</summary>
    public const string AdvancedFact = "sequences-advanced-through-data-api";

    /// <summary>At least this much ahead before the switchover, whatever blue's rate (ids skipped are harmless, collisions are not).</summary>
    public const long MinimumMargin = 1000;

    /// <summary>Whether Rekey can reach the cluster's database: Aurora PostgreSQL, its HTTP endpoint (Data API) on, and a secret given.</summary>
    public static bool Available(RekeyRun run, DBCluster? cluster)
    {
        ArgumentNullException.ThrowIfNull(run);
        return cluster is { Engine: "aurora-postgresql", HttpEndpointEnabled: true } && run.Settings.DatabaseSecretArn is not null;
    }

    /// <summary>Before asking for the switchover: green's sequences ahead of blue's. A failure here is not fatal: the raise after the switchover decides.</summary>
    public static async Task SetAheadAsync(RekeyRun run, DBCluster blue, BlueGreenDeployment deployment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(blue);
        ArgumentNullException.ThrowIfNull(deployment);
        if (!Available(run, blue) || deployment.Target is not { } green)
        {
            return;
        }

        var sequences = new SequenceAdvancer(run.RdsData, run.Settings.DatabaseSecretArn!);
        try
        {
            var blueNow = await sequences.ReadAsync(blue.DBClusterArn!, cancellationToken).ConfigureAwait(false);
            var greenNow = await sequences.ReadAsync(green, cancellationToken).ConfigureAwait(false);
            var now = await AwsClock.NowAsync(run, cancellationToken).ConfigureAwait(false);
            var sinceCopy = deployment.CreateTime is { } created ? now - new DateTimeOffset(DateTime.SpecifyKind(created, DateTimeKind.Utc)) : TimeSpan.Zero;
            var ahead = SequenceAdvancer.Ahead(blueNow, greenNow, sinceCopy, run.Settings.SwitchoverTimeout, MinimumMargin);
            var raised = await sequences.RaiseAsync(green, ahead, cancellationToken).ConfigureAwait(false);
            run.Journal.Add("Switchover", $"Set {raised} of green's {greenNow.Count} sequence(s) ahead of blue's through the RDS Data API, so inserts right after the switchover take free ids.");
        }
        catch (AmazonServiceException exception)
        {
            run.Journal.Add(
                "Switchover",
                $"Could not set green's sequences ahead before the switchover ({exception.ErrorCode}: {exception.Message}); they are raised right after it.",
                Reporting.JournalLevel.Warning);
        }
    }

    /// <summary>Right after the switchover: every sequence of the new cluster at least at the old blue's final value (the old blue takes no more writes).</summary>
    public static async Task RaiseToOldBlueAsync(RekeyRun run, DBCluster oldBlue, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(oldBlue);
        if (!Available(run, oldBlue))
        {
            return;
        }

        var sequences = new SequenceAdvancer(run.RdsData, run.Settings.DatabaseSecretArn!);
        try
        {
            var final = await sequences.ReadAsync(oldBlue.DBClusterArn!, cancellationToken).ConfigureAwait(false);
            var raised = await sequences.RaiseAsync(NewClusterArn(run, oldBlue), final, cancellationToken).ConfigureAwait(false);
            run.Journal.Fact(AdvancedFact, "yes");
            run.Journal.Add("Switchover", $"Raised {raised} of {final.Count} sequence(s) on {run.ClusterId} to at least the old blue's final values through the RDS Data API.");
        }
        catch (AmazonServiceException exception)
        {
            run.Journal.Add(
                "Switchover",
                $"Could not raise the sequences of {run.ClusterId} through the RDS Data API ({exception.ErrorCode}: {exception.Message}); VerifyBlueGreen prints the statements to run.",
                Reporting.JournalLevel.Warning);
        }
    }

    /// <summary>The new production cluster's ARN: the old blue's, under the original identifier.</summary>
    public static string NewClusterArn(RekeyRun run, DBCluster oldBlue)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(oldBlue);
        var arn = oldBlue.DBClusterArn!;
        return arn[..(arn.LastIndexOf(':') + 1)] + run.ClusterId;
    }
}
