using System.Globalization;
using System.Text;
using Rekey.Aws.RDSDataService;
using Rekey.Aws.RDSDataService.Model;

namespace Rekey.BlueGreen;

/// <summary>A sequence's value as pg_sequences shows it (last_value: the last value handed out, or set).</summary>
public sealed record SequenceValue(string Schema, string Name, long LastValue)
{
    public string QualifiedName => $"{Schema}.{Name}";
}

/// <summary>
/// Aurora PostgreSQL's Blue/Green is logical replication, which does not carry sequence values: after the switchover
/// the new cluster's sequences stand where green's copy left them, and every insert that takes a serial or identity
/// value collides with a replicated row. Through the RDS Data API (ExecuteStatement with a Secrets Manager secret, no
/// network path into the VPC needed) this reads the sequences of one cluster and raises those of another, never lowering one.
/// </summary>
public sealed class SequenceAdvancer(IAmazonRDSDataService data, string secretArn, string? database = null)
{
    /// <summary>Every sequence of the cluster's database that has a value.</summary>
    public async Task<IReadOnlyList<SequenceValue>> ReadAsync(string clusterArn, CancellationToken cancellationToken)
    {
        var response = await data.ExecuteStatementAsync(
            Statement(clusterArn, "SELECT schemaname::text, sequencename::text, last_value FROM pg_sequences WHERE last_value IS NOT NULL ORDER BY 1, 2"),
            cancellationToken).ConfigureAwait(false);
        return [.. (response.Records ?? []).Select(r => new SequenceValue(r[0].StringValue!, r[1].StringValue!, r[2].LongValue ?? 0))];
    }

    /// <summary>
    /// Sets each of the cluster's sequences named in <paramref name="atLeast"/> to at least its value there (setval ..., true: the next
    /// value is one more), leaving one already higher as it is. One statement for all; returns how many it raised.
    /// </summary>
    public async Task<long> RaiseAsync(string clusterArn, IReadOnlyList<SequenceValue> atLeast, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(atLeast);
        if (atLeast.Count == 0)
        {
            return 0;
        }

        var values = new StringBuilder();
        foreach (var sequence in atLeast)
        {
            values.Append(values.Length == 0 ? string.Empty : ", ")
                .Append(CultureInfo.InvariantCulture, $"({Literal(sequence.Schema)}, {Literal(sequence.Name)}, {sequence.LastValue}::bigint)");
        }

        var sql = "SELECT count(setval(format('%I.%I', v.s, v.n)::regclass, v.value, true)) "
            + $"FROM (VALUES {values}) AS v(s, n, value) JOIN pg_sequences p ON p.schemaname = v.s AND p.sequencename = v.n "
            + "WHERE p.last_value IS NULL OR p.last_value < v.value";
        var response = await data.ExecuteStatementAsync(Statement(clusterArn, sql), cancellationToken).ConfigureAwait(false);
        return response.Records is [[{ LongValue: { } raised }, ..], ..] ? raised : 0;
    }

    /// <summary>
    /// Blue's values moved ahead by what blue hands out during <paramref name="window"/> at its rate since green's copy was made
    /// (<paramref name="sinceCopy"/> ago, green still at the copy's values), and by at least <paramref name="floor"/>.
    /// </summary>
    public static IReadOnlyList<SequenceValue> Ahead(IReadOnlyList<SequenceValue> blue, IReadOnlyList<SequenceValue> green, TimeSpan sinceCopy, TimeSpan window, long floor)
    {
        ArgumentNullException.ThrowIfNull(blue);
        ArgumentNullException.ThrowIfNull(green);
        var copied = green.ToDictionary(s => s.QualifiedName, s => s.LastValue, StringComparer.Ordinal);
        var seconds = Math.Max(sinceCopy.TotalSeconds, 1);
        return [.. blue.Select(s =>
        {
            var used = s.LastValue - copied.GetValueOrDefault(s.QualifiedName, 0);
            var margin = (long)Math.Ceiling(Math.Max(used, 0) / seconds * window.TotalSeconds);
            return s with { LastValue = s.LastValue + Math.Max(margin, floor) };
        })];
    }

    private ExecuteStatementRequest Statement(string clusterArn, string sql) =>
        new() { ResourceArn = clusterArn, SecretArn = secretArn, Database = database, Sql = sql };

    /// <summary>A SQL string literal (standard_conforming_strings: only the quote is doubled).</summary>
    private static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";
}
