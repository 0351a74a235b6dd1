using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using DnsClient;
using Npgsql;

namespace Rekey.Sandbox.Tests.DataPlane;

/// <summary>
/// An application writing rows the whole time through Npgsql's connection pool, as a real one does:
/// the name is resolved (through the sandbox's DNS, no cache) whenever a connection is taken, and the
/// pool keeps physical connections per address, so connections opened before a rename keep going to
/// the old server until they break. It logs every commit the server acknowledged and every failure.
/// </summary>
internal sealed class PooledWriter(string name, int port, int dnsPort) : IAsyncDisposable
{
    private readonly ConcurrentQueue<string> _acknowledged = new();
    private readonly ConcurrentQueue<string> _failures = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly LookupClient _dns = new(new LookupClientOptions(new NameServer(IPAddress.Loopback, dnsPort))
    {
        UseCache = false,
        Retries = 0,
        Timeout = TimeSpan.FromSeconds(5),
        ThrowDnsErrors = false,
    });

    private Task? _loop;
    private int _next;

    public IReadOnlyList<string> Acknowledged => [.. _acknowledged];

    public IReadOnlyList<string> Failures => [.. _failures];

    public void Start() => _loop = Task.Run(() => RunAsync(_stop.Token));

    /// <summary>Waits (bounded) until <paramref name="count"/> more commits are acknowledged.</summary>
    public async Task WaitForMoreAsync(int count)
    {
        var target = _acknowledged.Count + count;
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        while (_acknowledged.Count < target)
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(60), $"The writer got no acknowledged commit for a minute; last failures: {string.Join(" | ", Failures.TakeLast(3))}");
            await Task.Delay(20);
        }
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            await _loop;
        }

        NpgsqlConnection.ClearAllPools();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync();
        }

        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var key = "row-" + Interlocked.Increment(ref _next).ToString("D6", CultureInfo.InvariantCulture);
            try
            {
                var answer = await _dns.QueryAsync(name, QueryType.A, cancellationToken: cancellationToken);
                var address = answer.Answers.ARecords().FirstOrDefault()?.Address
                    ?? throw new InvalidOperationException($"could not translate host name \"{name}\" to address");
                await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder
                {
                    Host = address.ToString(),
                    Port = port,
                    Username = "postgres",
                    Database = "app",
                    MaxPoolSize = 4,
                    Timeout = 5,
                }.ConnectionString);
                await connection.OpenAsync(cancellationToken);
                await using var insert = new NpgsqlCommand("INSERT INTO writes (key) VALUES (@key)", connection);
                insert.Parameters.AddWithValue("key", key);
                await insert.ExecuteNonQueryAsync(cancellationToken);
                _acknowledged.Enqueue(key);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception error) when (error is NpgsqlException or InvalidOperationException or DnsResponseException or System.Net.Sockets.SocketException)
            {
                _failures.Enqueue($"{key}: {error.Message}");
                try
                {
                    await Task.Delay(10, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
