using System.Net;
using DnsClient;
using Npgsql;

namespace Rekey.SandboxRehearsal;

/// <summary>
/// How a PostgreSQL client reaches a cluster's name: the name through a given DNS server (the sandbox's),
/// asked again at every connect with no cache, as a driver does, then TCP to the address it answered.
/// </summary>
public sealed class PostgresEndpoint
{
    private readonly LookupClient _dns;

    public PostgresEndpoint(IPEndPoint dnsServer, int port, string username = "postgres", string? password = null, string database = "app")
    {
        ArgumentNullException.ThrowIfNull(dnsServer);
        _dns = new LookupClient(new LookupClientOptions(new NameServer(dnsServer))
        {
            UseCache = false,
            Retries = 0,
            Timeout = TimeSpan.FromSeconds(5),
            ThrowDnsErrors = false,
        });
        Port = port;
        Username = username;
        Password = password;
        Database = database;
    }

    public int Port { get; }

    public string Username { get; }

    public string? Password { get; }

    public string Database { get; }

    /// <summary>The address a name resolves to now; null when it does not resolve.</summary>
    public async Task<IPAddress?> ResolveAsync(string name, CancellationToken cancellationToken)
    {
        var answer = await _dns.QueryAsync(name, QueryType.A, cancellationToken: cancellationToken).ConfigureAwait(false);
        return answer.Answers.ARecords().FirstOrDefault()?.Address;
    }

    /// <summary>
    /// A connection string for an address. With pooling, Npgsql keeps one pool per connection string, so
    /// connections opened before a rename keep going to the old address until they break.
    /// </summary>
    public string ConnectionString(IPAddress address, bool pooling, int maxPoolSize = 4) => new NpgsqlConnectionStringBuilder
    {
        Host = address?.ToString() ?? throw new ArgumentNullException(nameof(address)),
        Port = Port,
        Username = Username,
        Password = Password,
        Database = Database,
        Pooling = pooling,
        MaxPoolSize = maxPoolSize,
        Timeout = 5,
    }.ConnectionString;

    /// <summary>Opens an unpooled connection to what <paramref name="name"/> resolves to now.</summary>
    public async Task<NpgsqlConnection> OpenAsync(string name, CancellationToken cancellationToken)
    {
        var address = await ResolveAsync(name, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"{name} does not resolve through the DNS server given; check the cluster exists and the DNS server is the sandbox's.");
        var connection = new NpgsqlConnection(ConnectionString(address, pooling: false));
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return connection;
    }

    /// <summary>Every key of the application's table on the server <paramref name="name"/> resolves to now.</summary>
    public async Task<IReadOnlyList<string>> KeysAsync(string name, CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(name, cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var command = new NpgsqlCommand($"SELECT key FROM {PostgresApplication.Table} ORDER BY id", connection);
            await using (command.ConfigureAwait(false))
            {
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    var keys = new List<string>();
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        keys.Add(reader.GetString(0));
                    }

                    return keys;
                }
            }
        }
    }
}
