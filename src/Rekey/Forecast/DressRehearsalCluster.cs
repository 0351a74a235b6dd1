using Rekey.Aws.RDS.Model;
using Rekey.Clusters;
using Rekey.Runtime;
using Rekey.State;

namespace Rekey.Forecast;

/// <summary>The names and tags of the throw-away cluster a dress rehearsal restores, and how to recognise one.</summary>
public static class DressRehearsalCluster
{
    /// <summary>The value of <see cref="RekeyTags.Role"/> on a dress rehearsal's cluster and instance.</summary>
    public const string Role = "dress-rehearsal";

    private const string Suffix = "-rekey-dress";
    private const string WriterSuffix = "-1";
    private const int MaxIdentifierLength = 63;

    /// <summary><c>&lt;id&gt;-rekey-dress</c>, the id shortened so that the writer's name (one more suffix) fits RDS's 63 characters.</summary>
    public static string NameFor(string clusterId) => Base(clusterId) + Suffix;

    public static string WriterNameFor(string clusterId) => NameFor(clusterId) + WriterSuffix;

    /// <summary>True when <paramref name="cluster"/> is Rekey's dress rehearsal of <paramref name="clusterId"/>.</summary>
    public static bool IsDressRehearsalOf(DBCluster cluster, string clusterId) =>
        cluster.Tag(RekeyTags.Role) == Role && cluster.Tag(RekeyTags.Source) == clusterId;

    /// <summary>Adds a warning when a dress rehearsal's cluster of this cluster is still there (a run that died before it deleted it).</summary>
    public static async Task WarnIfStrayAsync(RekeyRun run, List<string> warnings, CancellationToken cancellationToken)
    {
        if (await FindStrayAsync(run, cancellationToken).ConfigureAwait(false) is { } stray)
        {
            var runId = stray.Tag(RekeyTags.RunId) ?? "(no run id tag)";
            warnings.Add(
                $"A dress rehearsal's copy {stray.DBClusterIdentifier} ({stray.Status}, run {runId}) is still there and costs money; nothing deletes it but the dress rehearsal itself. "
                + $"Finish and delete it with ./build.sh --target=DressRehearsal --cluster={run.ClusterId} --run-id={runId} --confirm={run.ClusterId}.");
        }
    }

    public static async Task<DBCluster?> FindStrayAsync(RekeyRun run, CancellationToken cancellationToken)
    {
        var cluster = await new ClusterReader(run.Rds).FindClusterAsync(NameFor(run.ClusterId), cancellationToken).ConfigureAwait(false);
        return cluster is not null && IsDressRehearsalOf(cluster, run.ClusterId) ? cluster : null;
    }

    private static string Base(string clusterId)
    {
        var room = MaxIdentifierLength - Suffix.Length - WriterSuffix.Length;
        // An identifier may not end with a hyphen nor hold two in a row, so a cut never leaves one before the suffix.
        return clusterId.Length <= room ? clusterId : clusterId[..room].TrimEnd('-');
    }
}
