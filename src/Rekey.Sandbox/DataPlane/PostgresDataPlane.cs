using System.Text.Json.Serialization;
using Npgsql;
using Rekey.Sandbox.Core;
using Rekey.Sandbox.Dns;
using Rekey.Sandbox.RDS;

namespace Rekey.Sandbox.DataPlane;

/// <summary>What the data plane knows about one aurora-postgresql cluster's server.</summary>
public sealed record DataPlaneServerView(
    string ClusterResourceId,
    string? ClusterIdentifier,
    string DataPlane,
    string? Address,
    int? Port,
    string? Superuser,
    string? Database,
    string State,
    string? Error,
    string? DataDirectory);

/// <summary>
/// Puts a real PostgreSQL server behind every aurora-postgresql cluster when the data plane is
/// <see cref="DataPlaneMode.Postgres"/>. It follows the RDS state rather than being called by it:
/// under the runtime lock, before every AWS call and DNS answer, it starts a server for each new
/// cluster (a restored cluster replays its source's WAL archive to the restore time), waits for it
/// when RDS declares the cluster available, closes client connections when an instance of the
/// cluster restarts, stops the server when the cluster is deleted, and points the cluster's
/// instance names at the cluster's server (readers share the writer's server).
/// </summary>
public sealed partial class PostgresDataPlane : IClockDriven, ISandboxControlApi, IAsyncDisposable
{
    private readonly RdsState _rds;
    private readonly DnsZone _zone;
    private readonly SandboxClock _clock;
    private readonly IServiceProvider _services;
    private readonly ILogger<PostgresDataPlane> _logger;
    private readonly Dictionary<string, Entry> _entries = [];
    private readonly List<Task> _background = [];
    private readonly string? _configuredFolder;
    private readonly Lazy<PostgresBinaries?> _binaries;
    private readonly CancellationTokenSource _stopping = new();
    private Task? _archiveWatch;
    private int _disposed;
    private string? _folder;

    public PostgresDataPlane(RdsState rds, DnsZone zone, SandboxClock clock, SandboxOptions options, IServiceProvider services, ILogger<PostgresDataPlane> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _rds = rds;
        _zone = zone;
        _clock = clock;
        _services = services;
        _logger = logger;
        _configuredFolder = options.DataPlaneDirectory;
        Times = new RealTimeMap(clock.Speed);
        _binaries = new Lazy<PostgresBinaries?>(PostgresBinaries.Find);
        SetMode(options.DataPlane);
        rds.RestorableLimit = RestorableLimit;
        rds.GreenCaughtUp = GreenCaughtUp;
    }

    /// <summary>The mode for clusters created from now on; a cluster keeps the data plane it was created with.</summary>
    public DataPlaneMode Mode { get; private set; }

    /// <summary>The server programs, looked for the first time they are needed.</summary>
    public PostgresBinaries? Binaries => _binaries.Value;

    public RealTimeMap Times { get; }

    /// <summary>Switches the mode (sandbox API); postgres needs the server programs.</summary>
    public void SetMode(DataPlaneMode mode)
    {
        if (mode == DataPlaneMode.Postgres && Binaries is null)
        {
            throw new ArgumentException(PostgresBinaries.MissingMessage);
        }

        Mode = mode;
    }

    /// <summary>The server behind a cluster, once it accepts connections; null when the cluster is on the model. Call outside the runtime lock.</summary>
    public async Task<PostgresServer?> ServerAsync(string clusterResourceId, CancellationToken cancellationToken = default)
    {
        Entry? entry;
        lock (_entries)
        {
            _entries.TryGetValue(clusterResourceId, out entry);
        }

        if (entry?.Server is null)
        {
            return null;
        }

        await entry.Ready!.WaitAsync(cancellationToken);
        return entry.Server;
    }

    /// <summary>The server behind a cluster when it accepts connections now; null while it is provisioning, stopping or on the model. Never waits.</summary>
    public PostgresServer? ReadyServer(string clusterResourceId)
    {
        lock (_entries)
        {
            return _entries.TryGetValue(clusterResourceId, out var entry) && !entry.Stopping && entry.Ready is { IsCompletedSuccessfully: true } && entry.Server is { IsRunning: true }
                ? entry.Server
                : null;
        }
    }

    public IReadOnlyList<DataPlaneServerView> Servers()
    {
        lock (_entries)
        {
            return [.. _entries.Values.Select(View)];
        }
    }

    public void AdvanceTo(DateTimeOffset now)
    {
        lock (_entries)
        {
            FinishSwitchovers();
            var instanceAddresses = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var cluster in _rds.Clusters.Where(c => c.Engine == "aurora-postgresql"))
            {
                var entry = EntryFor(cluster);
                if (entry.Server is null)
                {
                    continue;
                }

                entry.Identifier = cluster.Identifier;

                if (cluster.Status == "deleting" && entry.Server.IsRunning && !entry.Stopping)
                {
                    Stop(entry);
                    continue;
                }

                var restarted = false;
                foreach (var instance in _rds.InstancesOf(cluster))
                {
                    instanceAddresses[instance.ResourceId] = entry.Server.Address;
                    if (entry.Incarnations.TryGetValue(instance.ResourceId, out var seen) && seen != instance.Incarnation)
                    {
                        restarted = true;
                    }

                    entry.Incarnations[instance.ResourceId] = instance.Incarnation;
                }

                if (restarted && entry.Ready!.IsCompletedSuccessfully && entry.Server.IsRunning)
                {
                    CloseConnections(entry);
                }

                FollowReadOnly(cluster, entry);
            }

            foreach (var entry in _entries.Values.Where(e => e.Server is { IsRunning: true } && !e.Stopping && _rds.ClusterByResourceId(e.ClusterResourceId) is null).ToList())
            {
                Stop(entry);
            }

            _zone.Readdress(e => instanceAddresses.GetValueOrDefault(e.Owner));
        }
    }

    public void MapRoutes(IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        var group = routes.MapGroup("/_sandbox/data-plane");
        group.MapGet(string.Empty, () => Results.Json(Describe(), SandboxJson.Options));
        group.MapPut(string.Empty, (ModeRequest body) =>
        {
            if (!Enum.TryParse<DataPlaneMode>(body.Mode, ignoreCase: true, out var mode) || !Enum.IsDefined(mode))
            {
                return Results.BadRequest(new { message = $"The data plane is postgres or model, not '{body.Mode}'." });
            }

            try
            {
                Runtime.Change(() =>
                {
                    SetMode(mode);
                    return mode;
                });
                return Results.Json(Describe(), SandboxJson.Options);
            }
            catch (ArgumentException error)
            {
                return Results.BadRequest(new { message = error.Message });
            }
        });
    }

    public async ValueTask DisposeAsync()
    {
        // The container disposes it once per role it is registered under.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stopping.CancelAsync();
        if (_archiveWatch is not null)
        {
            await _archiveWatch;
        }

        List<Task> stops;
        lock (_entries)
        {
            foreach (var fence in _fences.Values)
            {
                fence.Cancel.Cancel();
            }

            stops = [.. _entries.Values.Where(e => e.Server is not null).Select(e => StopQuietlyAsync(e, archiveFirst: false))];
            stops.AddRange(_background);
        }

        await Task.WhenAll(stops);
        _stopping.Dispose();
        if (_folder is not null && _configuredFolder is null)
        {
            try
            {
                Directory.Delete(_folder, recursive: true);
            }
            catch (IOException)
            {
                // A server file still held open; the temp folder goes with the machine.
            }
        }
    }

    /// <summary>LatestRestorableTime of a real-engine cluster: no later than what its WAL archive holds (sandbox time).</summary>
    private DateTimeOffset? RestorableLimit(DbCluster cluster)
    {
        lock (_entries)
        {
            if (!_entries.TryGetValue(cluster.ResourceId, out var entry) || entry.Server is null)
            {
                return null;
            }

            return entry.Server.ArchivedThrough is { } real ? Times.ToSandbox(real) : DateTimeOffset.MinValue;
        }
    }

    /// <summary>The real slot lag samples of a cluster's server on the sandbox clock (bytes); empty on the model or without a logical slot.</summary>
    public IReadOnlyList<(DateTimeOffset Time, double Bytes)> SlotLag(string clusterResourceId)
    {
        PostgresServer? server;
        lock (_entries)
        {
            server = _entries.TryGetValue(clusterResourceId, out var entry) ? entry.Server : null;
        }

        return server is null ? [] : [.. server.SlotLagSamples.Select(s => (Times.ToSandbox(s.Time), (double)s.Bytes))];
    }

    /// <summary>Follows every running server's WAL archive (LatestRestorableTime) and its logical slots' lag (OldestReplicationSlotLag) a few times a second.</summary>
    private async Task WatchArchivesAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            List<PostgresServer> servers;
            lock (_entries)
            {
                servers = [.. _entries.Values.Where(e => e.Server is not null && e.Ready is { IsCompletedSuccessfully: true } && !e.Stopping).Select(e => e.Server!)];
            }

            foreach (var server in servers)
            {
                try
                {
                    await server.CheckArchiveAsync(_stopping.Token);
                    await server.SampleSlotLagAsync(_stopping.Token);
                }
                catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception error) when (error is NpgsqlException or IOException or InvalidOperationException or TimeoutException)
                {
                    // Stopping or restarting: the next round looks again.
                    server.LastArchiveCheckError = error.Message;
                }
            }

            try
            {
                await Task.Delay(200, _stopping.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private SandboxRuntime Runtime => _services.GetRequiredService<SandboxRuntime>();

    private object Describe() => new
    {
        mode = Mode.ToString().ToLowerInvariant(),
        binDirectory = Mode == DataPlaneMode.Postgres ? Binaries?.BinDirectory : null,
        runAsUser = Mode == DataPlaneMode.Postgres ? Binaries?.RunAsUser : null,
        servers = Servers(),
    };

    private void CloseConnections(Entry entry)
    {
        try
        {
            var closed = entry.Server!.CloseClientConnectionsAsync().Wait(TimeSpan.FromSeconds(30));
            if (!closed)
            {
                LogFailure(entry.Identifier ?? entry.ClusterResourceId, "closing its connections took over 30 s");
            }
        }
        catch (AggregateException error)
        {
            LogFailure(entry.Identifier ?? entry.ClusterResourceId, error.InnerException?.Message ?? error.Message);
        }
    }

    private void Stop(Entry entry)
    {
        entry.Stopping = true;
        _background.Add(StopQuietlyAsync(entry, archiveFirst: true));
    }

    private async Task StopQuietlyAsync(Entry entry, bool archiveFirst)
    {
        try
        {
            if (entry.Ready is not null)
            {
                await entry.Ready;
            }
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            // It never started; nothing more to stop than what StopAsync finds.
        }

        try
        {
            await entry.Server!.StopAsync(archiveFirst);
        }
        catch (Exception error) when (error is InvalidOperationException or IOException or TimeoutException)
        {
            LogFailure(entry.Identifier ?? entry.ClusterResourceId, error.Message);
        }
    }

    private static DataPlaneServerView View(Entry entry)
    {
        var server = entry.Server;
        var state = server is null ? "model"
            : entry.Ready is { IsCompletedSuccessfully: false, IsCompleted: false } ? "provisioning"
            : entry.Ready is { IsFaulted: true } ? "failed"
            : server.IsRunning ? "running" : "stopped";
        return new DataPlaneServerView(
            entry.ClusterResourceId,
            entry.Identifier,
            server is null ? "model" : "postgres",
            server?.Address,
            server?.Port,
            server?.Superuser,
            server?.Database,
            state,
            entry.Ready is { IsFaulted: true } ? entry.Ready.Exception!.InnerException?.Message : server?.LastArchiveCheckError,
            server?.DataDirectory);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Data plane: PostgreSQL server for {Cluster} on {Address}:{Port} ({How})")]
    private partial void LogProvisioning(string cluster, string address, int port, string how);

    [LoggerMessage(Level = LogLevel.Error, Message = "Data plane: the PostgreSQL server of {Cluster} failed: {Reason}")]
    private partial void LogFailure(string cluster, string reason);

    private sealed record ModeRequest([property: JsonPropertyName("mode")] string? Mode);

    private sealed class Entry(string clusterResourceId)
    {
        public string ClusterResourceId { get; } = clusterResourceId;

        public string? Identifier { get; set; }

        public PostgresServer? Server { get; init; }

        public Task? Ready { get; set; }

        public bool Stopping { get; set; }

        public Dictionary<string, int> Incarnations { get; } = new(StringComparer.Ordinal);
    }
}

/// <summary>The part of the data plane that must run before RDS's transitions (see <see cref="PostgresDataPlane.HoldUntilReady"/>).</summary>
public sealed class PostgresDataPlaneGate(PostgresDataPlane dataPlane) : IClockDriven
{
    public void AdvanceTo(DateTimeOffset now) => dataPlane.HoldUntilReady(now);
}
