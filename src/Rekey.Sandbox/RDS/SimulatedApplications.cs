using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rekey.Sandbox.Core;
using Rekey.Sandbox.Dns;

namespace Rekey.Sandbox.RDS;

/// <summary>A database connection of the simulated application.</summary>
public sealed record AppConnection
{
    public required string Id { get; init; }

    public required string Account { get; init; }

    public required string Region { get; init; }

    /// <summary>The name the application connected to.</summary>
    public required string Endpoint { get; init; }

    /// <summary>The address the name resolved to when the connection opened.</summary>
    public required string Address { get; init; }

    public required string ClusterResourceId { get; init; }

    public required string InstanceResourceId { get; init; }

    /// <summary>The instance's incarnation at open: a restart since closes the connection.</summary>
    public required int Incarnation { get; init; }

    public required DateTimeOffset OpenedAt { get; init; }

    public DateTimeOffset? ClosedAt { get; init; }

    public string? CloseReason { get; init; }

    public bool IsOpen => ClosedAt is null;
}

/// <summary>One write attempt through a connection, and where it was acknowledged.</summary>
public sealed record AppWrite(
    string ConnectionId,
    string Key,
    string Value,
    DateTimeOffset Time,
    bool Acknowledged,
    string? ClusterResourceId,
    string? ClusterIdentifier,
    long? Sequence,
    string? Error);

/// <summary>Why opening a connection failed, as a database driver would report it.</summary>
public sealed class DatabaseConnectionException : Exception
{
    public DatabaseConnectionException()
        : base("The connection failed.")
    {
    }

    public DatabaseConnectionException(string message)
        : base(message)
    {
    }

    public DatabaseConnectionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// An application that writes to clusters the way a real one does: it resolves the endpoint name
/// once, when a connection opens, and keeps writing through that connection to whatever it
/// reached, even after a rename, until the instance restarts or the connection closes. Names
/// that do not resolve fail to open. Every attempt is recorded, so tests can prove that no
/// acknowledged write is lost. All members take the runtime lock.
/// </summary>
public sealed class SimulatedApplications(RdsState rds, DnsZone zone, SandboxRuntime runtime) : IStatefulComponent
{
    private List<AppConnection> _connections = [];
    private List<AppWrite> _writes = [];
    private int _nextConnection = 1;

    public string StateKey => "applications";

    /// <summary>Opens a connection to an endpoint name as seen by <paramref name="account"/>'s applications.</summary>
    /// <exception cref="DatabaseConnectionException">The name does not resolve or nothing accepts connections behind it.</exception>
    public AppConnection Open(string endpoint, string? account = null, string? region = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return runtime.Change(() =>
        {
            var now = runtime.Clock.Now;
            var resolved = zone.Resolve(endpoint, now)
                ?? throw new DatabaseConnectionException($"could not translate host name \"{endpoint}\" to address: Name or service not known");
            var instance = rds.InstanceByResourceId(resolved.Owner);
            var cluster = instance is null ? rds.ClusterByResourceId(resolved.Owner) : rds.ClusterByResourceId(instance.ClusterResourceId);
            if (instance is null && cluster is not null)
            {
                instance = rds.WriterOf(cluster);
            }

            if (cluster is null || instance is null || instance.Status != "available" || cluster.Status is "deleting" or "failed" or "creating")
            {
                throw new DatabaseConnectionException($"connection to server at \"{endpoint}\" ({resolved.Address}), port 5432 failed: Connection refused");
            }

            if (rds.BlueGreenRefusal(cluster, now, write: false) is { } refusal)
            {
                throw new DatabaseConnectionException($"connection to server at \"{endpoint}\" ({resolved.Address}), port 5432 failed: {refusal}");
            }

            var connection = new AppConnection
            {
                Id = "conn-" + (_nextConnection++).ToString(CultureInfo.InvariantCulture),
                Account = account ?? cluster.Account,
                Region = region ?? cluster.Region,
                Endpoint = endpoint,
                Address = resolved.Address.ToString(),
                ClusterResourceId = cluster.ResourceId,
                InstanceResourceId = instance.ResourceId,
                Incarnation = instance.Incarnation,
                OpenedAt = now,
            };
            _connections.Add(connection);
            return connection;
        });
    }

    /// <summary>Writes through a connection; the result says whether and where the write was acknowledged.</summary>
    public AppWrite Write(string connectionId, string key, string value) => runtime.Change(() =>
    {
        var now = runtime.Clock.Now;
        var index = _connections.FindIndex(c => c.Id == connectionId);
        if (index < 0)
        {
            throw new KeyNotFoundException($"No connection {connectionId}.");
        }

        var connection = Refresh(index, now);
        AppWrite attempt;
        if (!connection.IsOpen)
        {
            attempt = new AppWrite(connectionId, key, value, now, false, null, null, null, $"server closed the connection unexpectedly ({connection.CloseReason})");
        }
        else
        {
            var cluster = rds.ClusterByResourceId(connection.ClusterResourceId)!;
            if (rds.BlueGreenRefusal(cluster, now, write: true) is { } refusal)
            {
                attempt = new AppWrite(connectionId, key, value, now, false, null, null, null, refusal);
            }
            else if (cluster.WriterResourceId != connection.InstanceResourceId)
            {
                attempt = new AppWrite(connectionId, key, value, now, false, null, null, null, "cannot execute INSERT in a read-only transaction");
            }
            else
            {
                var write = rds.AppendWrite(cluster, key, value, connectionId);
                attempt = new AppWrite(connectionId, key, value, now, true, cluster.ResourceId, cluster.Identifier, write.Sequence, null);
            }
        }

        _writes.Add(attempt);
        return attempt;
    });

    /// <summary>
    /// Runs a long write transaction or a DDL statement through a connection for a while (sandbox
    /// time): what Blue/Green switchover guardrails look for, and on Aurora PostgreSQL blue, DDL
    /// breaks logical replication to green.
    /// </summary>
    public RunningStatement Run(string connectionId, string kind, string statement, TimeSpan duration) => runtime.Change(() =>
    {
        if (kind is not (RunningStatement.Write or RunningStatement.Ddl))
        {
            throw new ArgumentException($"A statement is {RunningStatement.Write} or {RunningStatement.Ddl}, not {kind}.", nameof(kind));
        }

        var index = _connections.FindIndex(c => c.Id == connectionId);
        if (index < 0)
        {
            throw new KeyNotFoundException($"No connection {connectionId}.");
        }

        var connection = Refresh(index, runtime.Clock.Now);
        if (!connection.IsOpen)
        {
            throw new DatabaseConnectionException($"server closed the connection unexpectedly ({connection.CloseReason})");
        }

        return rds.StartStatement(rds.ClusterByResourceId(connection.ClusterResourceId)!, connectionId, kind, statement, duration);
    });

    public AppConnection Close(string connectionId) => runtime.Change(() =>
    {
        var index = _connections.FindIndex(c => c.Id == connectionId);
        if (index < 0)
        {
            throw new KeyNotFoundException($"No connection {connectionId}.");
        }

        var connection = Refresh(index, runtime.Clock.Now);
        if (connection.IsOpen)
        {
            connection = connection with { ClosedAt = runtime.Clock.Now, CloseReason = "closed by the application" };
            _connections[index] = connection;
        }

        return connection;
    });

    public IReadOnlyList<AppConnection> Connections() => runtime.Change(() =>
    {
        for (var i = 0; i < _connections.Count; i++)
        {
            Refresh(i, runtime.Clock.Now);
        }

        return (IReadOnlyList<AppConnection>)[.. _connections];
    });

    public IReadOnlyList<AppWrite> Writes() => runtime.Read(() => (IReadOnlyList<AppWrite>)[.. _writes]);

    /// <summary>Open connections to a cluster now (CloudWatch DatabaseConnections); call under the runtime lock.</summary>
    public int OpenConnectionCount(string clusterResourceId)
    {
        var now = runtime.Clock.Now;
        var count = 0;
        for (var i = 0; i < _connections.Count; i++)
        {
            if (_connections[i].ClusterResourceId == clusterResourceId && Refresh(i, now).IsOpen)
            {
                count++;
            }
        }

        return count;
    }

    public JsonNode Save() => JsonSerializer.SerializeToNode(new Saved(_connections, _writes, _nextConnection), SandboxJson.Options)!;

    public void Load(JsonNode state)
    {
        var saved = state.Deserialize<Saved>(SandboxJson.Options) ?? throw new InvalidDataException("The applications state is empty.");
        _connections = saved.Connections;
        _writes = saved.Writes;
        _nextConnection = saved.NextConnection;
    }

    // A connection closes when its instance restarted (reboot, rename, failover), went away, or its cluster is deleted.
    private AppConnection Refresh(int index, DateTimeOffset now)
    {
        var connection = _connections[index];
        if (!connection.IsOpen)
        {
            return connection;
        }

        var instance = rds.InstanceByResourceId(connection.InstanceResourceId);
        var cluster = rds.ClusterByResourceId(connection.ClusterResourceId);
        string? reason = null;
        if (instance is null || cluster is null || cluster.Status == "deleting")
        {
            reason = "the DB instance no longer exists";
        }
        else if (instance.Incarnation != connection.Incarnation)
        {
            reason = "the DB instance restarted";
        }
        else if (instance.Status == "deleting")
        {
            reason = "the DB instance is being deleted";
        }

        if (reason is null)
        {
            return connection;
        }

        connection = connection with { ClosedAt = now, CloseReason = reason };
        _connections[index] = connection;
        return connection;
    }

    private sealed record Saved(List<AppConnection> Connections, List<AppWrite> Writes, int NextConnection);
}
