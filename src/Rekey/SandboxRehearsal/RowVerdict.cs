namespace Rekey.SandboxRehearsal;

/// <summary>
/// The verdict on real rows after a cutover, against the application's own log of acknowledged commits:
/// every acknowledged row is in the new cluster, no row is in the old cluster that the new one lacks
/// (it reached the old server after T1 or the switchover), and the inserts that failed once the new
/// server had answered (acknowledged a commit or refused an insert), with why.
/// </summary>
public sealed record RowVerdict(
    string Cluster,
    int Acknowledged,
    int RowsInNew,
    int RowsInOld,
    IReadOnlyList<string> MissingFromNew,
    IReadOnlyList<string> OnOldAfterSwitch,
    IReadOnlyList<FailedInsert> FailedBeforeNewAnswered,
    IReadOnlyList<FailedInsert> FailedAfterNewAnswered)
{
    public bool Passed => MissingFromNew.Count == 0 && OnOldAfterSwitch.Count == 0;

    /// <summary>The inserts the new server itself refused after it first acknowledged a commit (a duplicate key from a sequence left behind, for one).</summary>
    public IReadOnlyList<FailedInsert> RefusedByNewServer => [.. FailedAfterNewAnswered.Where(f => f.SqlState is not null)];

    /// <summary>The failures after the new server first acknowledged a commit, counted by reason.</summary>
    public IReadOnlyDictionary<string, int> FailureReasonsAfterNewAnswered =>
        FailedAfterNewAnswered.GroupBy(f => f.Reason, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

    /// <summary>Reads the rows on the servers <paramref name="newName"/> and <paramref name="oldName"/> resolve to now and checks them against the application's log.</summary>
    public static async Task<RowVerdict> ReadAsync(
        string cluster, PostgresEndpoint endpoint, string newName, string oldName, PostgresApplication application, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(application);
        var newAddress = await endpoint.ResolveAsync(newName, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"{newName} does not resolve; the verdict needs the new cluster's rows.");
        var newRows = await endpoint.KeysAsync(newName, cancellationToken).ConfigureAwait(false);
        var oldRows = await endpoint.KeysAsync(oldName, cancellationToken).ConfigureAwait(false);
        return Of(cluster, application.Acknowledged, application.Failures, newAddress, newRows, oldRows);
    }

    public static RowVerdict Of(
        string cluster,
        IReadOnlyList<AcknowledgedCommit> acknowledged,
        IReadOnlyList<FailedInsert> failures,
        System.Net.IPAddress newAddress,
        IReadOnlyList<string> newRows,
        IReadOnlyList<string> oldRows)
    {
        ArgumentNullException.ThrowIfNull(acknowledged);
        ArgumentNullException.ThrowIfNull(failures);
        var inNew = newRows.ToHashSet(StringComparer.Ordinal);
        // The new server first answered with a commit or a refusal (a duplicate key from a sequence left behind is an answer too).
        var firstOnNew = acknowledged.Where(c => c.Address.Equals(newAddress)).Select(c => (DateTimeOffset?)c.Time)
            .Concat(failures.Where(f => newAddress.Equals(f.Address)).Select(f => (DateTimeOffset?)f.Time))
            .Min();
        return new RowVerdict(
            cluster,
            acknowledged.Count,
            newRows.Count,
            oldRows.Count,
            [.. acknowledged.Where(c => !inNew.Contains(c.Key)).Select(c => c.Key)],
            [.. oldRows.Where(k => !inNew.Contains(k))],
            [.. failures.Where(f => firstOnNew is null || f.Time < firstOnNew)],
            [.. failures.Where(f => firstOnNew is { } first && f.Time >= first)]);
    }
}
