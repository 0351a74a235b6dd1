using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using DnsClient;
using Npgsql;

namespace Rekey.SandboxRehearsal;

/// <summary>A commit the server acknowledged: the key inserted, when (the application's clock) and the address it went to.</summary>
public sealed record AcknowledgedCommit(string Key, DateTimeOffset Time, IPAddress Address);

/// <summary>
/// An insert that failed: the key tried, when (the application's clock) and why, as the driver said it;
/// <paramref name="SqlState"/> is the server's error code when the server refused it (23505: a duplicate key),
/// null when the name did not resolve or no server answered; <paramref name="Address"/> is the server's that refused it.
/// </summary>
public sealed record FailedInsert(string Key, DateTimeOffset Time, string Reason, string? SqlState = null, IPAddress? Address = null);

/// <summary>
/// An application writing rows the whole time (<see cref="PauseBetweenInserts"/> apart) through Npgsql's connection pool, as a real one does:
/// the cluster's name is resolved (through the given DNS server, no cache) whenever a connection is
/// taken, and the pool keeps physical connections per address, so connections opened before a rename
/// keep going to the old server until they break. It keeps its own log of every commit the server
/// acknowledged and every insert that failed, which is what a verdict on real rows is checked against.
/// </summary>
public sealed class PostgresApplication : IAsyncDisposable
{
    /// <summary>The table the application inserts into: one row per insert, the key unique.</summary>
    public const string Table = "rekey_rehearsal_writes";

    /// <summary>Creates <see cref="Table"/>; its id is a bigserial, so a sequence left behind by logical replication shows as collisions.</summary>
    public const string CreateTableSql = $"CREATE TABLE IF NOT EXISTS {Table} (id bigserial PRIMARY KEY, key text UNIQUE NOT NULL)";

    /// <summary>
    /// The pause after each acknowledged insert: a steady load of a few hundred commits a second, so the switchover's edges
    /// are seen to the millisecond while the engine, the sandbox and Rekey keep the machine's cores (an unpaced loop took
    /// one of two, and the real engine's catch-up and reopening ran late behind it).
    /// </summary>
    public static readonly TimeSpan PauseBetweenInserts = TimeSpan.FromMilliseconds(2);

    private readonly PostgresEndpoint _endpoint;
    private readonly string _name;
    private readonly TimeProvider _time;
    private readonly ConcurrentQueue<AcknowledgedCommit> _acknowledged = new();
    private readonly ConcurrentQueue<FailedInsert> _failures = new();
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private int _next;

    /// <summary>An application inserting into the cluster <paramref name="name"/> names, reached through <paramref name="endpoint"/>.</summary>
    /// <param name="application">Prefix of every key, so several applications can share a server.</param>
    /// <param name="name">The cluster endpoint name the application connects to.</param>
    /// <param name="endpoint">The DNS server, port and credentials.</param>
    /// <param name="time">The application's clock, for its log and its waits.</param>
    public PostgresApplication(string application, string name, PostgresEndpoint endpoint, TimeProvider? time = null)
    {
        Application = application;
        _name = name;
        _endpoint = endpoint;
        _time = time ?? TimeProvider.System;
    }

    public string Application { get; }

    public IReadOnlyList<AcknowledgedCommit> Acknowledged => [.. _acknowledged];

    public IReadOnlyList<FailedInsert> Failures => [.. _failures];

    public long Attempts => Volatile.Read(ref _next);

    /// <summary>Creates the application's table on the server the name resolves to now (before the application starts).</summary>
    public async Task CreateTableAsync(CancellationToken cancellationToken)
    {
        var connection = await _endpoint.OpenAsync(_name, cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var command = new NpgsqlCommand(CreateTableSql, connection);
            await using (command.ConfigureAwait(false))
            {
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public void Start() => _loop = Task.Run(() => RunAsync(_stop.Token));

    /// <summary>Waits until <paramref name="count"/> more commits are acknowledged; throws with the last failures when <paramref name="timeout"/> (real time) passes first.</summary>
    public async Task WaitForMoreAsync(int count, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var target = _acknowledged.Count + count;
        var started = _time.GetTimestamp();
        while (_acknowledged.Count < target)
        {
            if (_time.GetElapsedTime(started) > timeout)
            {
                throw new TimeoutException(
                    $"{Application} got {target - _acknowledged.Count} fewer acknowledged commits than expected within {timeout.TotalSeconds:0} s; "
                    + $"last failures: {string.Join(" | ", Failures.TakeLast(3).Select(f => f.Reason))}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), _time, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        NpgsqlConnection.ClearAllPools();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync().ConfigureAwait(false);
        }

        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var key = Application + "-" + Interlocked.Increment(ref _next).ToString("D6", CultureInfo.InvariantCulture);
            IPAddress? address = null;
            try
            {
                address = await _endpoint.ResolveAsync(_name, cancellationToken).ConfigureAwait(false)
                    ?? throw new InvalidOperationException($"could not translate host name \"{_name}\" to address");
                var connection = new NpgsqlConnection(_endpoint.ConnectionString(address, pooling: true));
                await using (connection.ConfigureAwait(false))
                {
                    await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                    var insert = new NpgsqlCommand($"INSERT INTO {Table} (key) VALUES (@key)", connection);
                    await using (insert.ConfigureAwait(false))
                    {
                        insert.Parameters.AddWithValue("key", key);
                        await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    }
                }

                _acknowledged.Enqueue(new AcknowledgedCommit(key, _time.GetUtcNow(), address));
                await Task.Delay(PauseBetweenInserts, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception error) when (error is NpgsqlException or InvalidOperationException or DnsResponseException or System.Net.Sockets.SocketException or TimeoutException)
            {
                var refused = error as PostgresException;
                _failures.Enqueue(new FailedInsert(key, _time.GetUtcNow(), error.Message, refused?.SqlState, refused is null ? null : address));
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(10), _time, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
