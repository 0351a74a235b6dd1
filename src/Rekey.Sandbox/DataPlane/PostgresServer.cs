using System.Diagnostics;
using System.Globalization;
using System.Text;
using Npgsql;

namespace Rekey.Sandbox.DataPlane;

/// <summary>
/// One real PostgreSQL server behind a cluster: its folders (data, Unix socket, WAL archive, the
/// base backup taken at creation), its postmaster process, and an administrative connection over
/// the Unix socket (the cluster's clients use TCP on the loopback address). Every WAL segment is
/// archived from creation, so any time after the base backup can be restored.
/// </summary>
public sealed partial class PostgresServer
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(90);
    private readonly PostgresBinaries _binaries;
    private readonly StringBuilder _startupOutput = new();
    private Process? _process;
    private long _archivedThroughTicks;
    private string? _lastArchivedLsn;
    private readonly List<(DateTimeOffset Time, long Bytes)> _slotLag = [];

    public PostgresServer(PostgresBinaries binaries, string folder, string clusterResourceId, string address, int port, string superuser, string? database)
    {
        _binaries = binaries;
        Folder = folder;
        ClusterResourceId = clusterResourceId;
        Address = address;
        Port = port;
        Superuser = superuser;
        Database = database;
    }

    public string ClusterResourceId { get; }

    /// <summary>The loopback address the server listens on (the cluster's DNS names resolve to it).</summary>
    public string Address { get; }

    public int Port { get; }

    /// <summary>The cluster's master user name: the server's superuser.</summary>
    public string Superuser { get; }

    /// <summary>The database CreateDBCluster named (DatabaseName), if any.</summary>
    public string? Database { get; }

    public string Folder { get; }

    public string DataDirectory => Path.Combine(Folder, "data");

    public string SocketDirectory => Path.Combine(Folder, "socket");

    public string ArchiveDirectory => Path.Combine(Folder, "wal-archive");

    public string BaseBackupDirectory => Path.Combine(Folder, "base-backup");

    /// <summary>Real time (UTC) by which the base backup was complete: no restore can reach an earlier time.</summary>
    public DateTimeOffset? BaseBackupCompletedAt { get; private set; }

    /// <summary>Real time (UTC) the server stopped for good (cluster deleted); its archive then holds all its WAL.</summary>
    public DateTimeOffset? StoppedAt { get; private set; }

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Real time (UTC) up to which every commit is in the WAL archive; null before the first check.</summary>
    public DateTimeOffset? ArchivedThrough
    {
        get
        {
            var ticks = Interlocked.Read(ref _archivedThroughTicks);
            return ticks == 0 ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
        }
    }

    /// <summary>Why the last look at the archive failed, if it did (shown by the sandbox API).</summary>
    public string? LastArchiveCheckError { get; set; }

    /// <summary>
    /// Moves <see cref="ArchivedThrough"/> to now when the segment holding the last WAL written is
    /// in the archive (or nothing was written since the last time it was).
    /// </summary>
    public async Task CheckArchiveAsync(CancellationToken cancellationToken = default)
    {
        if (BaseBackupCompletedAt is null || !IsRunning)
        {
            return;
        }

        // Right after a segment switch the insert position is just past the new segment's 40-byte
        // header with nothing written in it: the WAL so far ends in the previous segment.
        var now = DateTimeOffset.UtcNow;
        await using var connection = new NpgsqlConnection(AdminConnectionString());
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            "SELECT pg_current_wal_insert_lsn()::text, pg_walfile_name(pg_current_wal_insert_lsn() - 41), pg_is_in_recovery()", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken) || reader.GetBoolean(2))
        {
            return;
        }

        var lsn = reader.GetString(0);
        var segment = reader.GetString(1);
        if (lsn == _lastArchivedLsn || File.Exists(Path.Combine(ArchiveDirectory, segment)))
        {
            _lastArchivedLsn = lsn;
            Interlocked.Exchange(ref _archivedThroughTicks, now.UtcTicks);
        }
    }

    /// <summary>An administrative connection string (Unix socket, superuser, no pooling).</summary>
    public string AdminConnectionString(string? database = null) => new NpgsqlConnectionStringBuilder
    {
        Host = SocketDirectory,
        Port = Port,
        Username = Superuser,
        Database = database ?? "postgres",
        Pooling = false,
        Timeout = 15,
        CommandTimeout = 60,
    }.ConnectionString;

    /// <summary>A client connection string as an application on the loopback network writes it (TCP to the address).</summary>
    public string ClientConnectionString(string host) => new NpgsqlConnectionStringBuilder
    {
        Host = host,
        Port = Port,
        Username = Superuser,
        Database = Database ?? "postgres",
    }.ConnectionString;

    /// <summary>Makes a new, empty server: initdb, start, the named database, then the base backup every restore starts from.</summary>
    public async Task CreateAsync(CancellationToken cancellationToken = default)
    {
        await PrepareFoldersAsync();
        await _binaries.RunAsync(
            _binaries.Program("initdb"),
            ["-D", DataDirectory, "-U", Superuser, "--auth-local=trust", "--auth-host=trust", "-E", "UTF8", "--locale=C", "--wal-segsize=1", "--no-sync"],
            TimeSpan.FromMinutes(2),
            cancellationToken);
        await File.AppendAllTextAsync(Path.Combine(DataDirectory, "postgresql.conf"), "\ninclude 'rekey.conf'\n", cancellationToken);
        await WriteSettingsAsync(recovery: null, cancellationToken);
        await StartAsync(cancellationToken);
        if (Database is not null && Database != "postgres")
        {
            await ExecuteAsync($"CREATE DATABASE \"{Database.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", cancellationToken: cancellationToken);
        }

        await TakeBaseBackupAsync(cancellationToken);
    }

    /// <summary>
    /// Makes this server a point-in-time copy of <paramref name="source"/>: its base backup, then
    /// its archived WAL replayed up to <paramref name="realTargetTime"/> (commits after it are not
    /// applied), then promotion and a base backup of its own.
    /// </summary>
    public async Task RestoreFromAsync(PostgresServer source, DateTimeOffset realTargetTime, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        var target = source.BaseBackupCompletedAt is { } earliest && realTargetTime < earliest ? earliest : realTargetTime;
        var replayToEnd = false;
        if (source.IsRunning)
        {
            await source.ArchiveThroughNowAsync(cancellationToken);
        }
        else if (source.StoppedAt is { } stopped && target >= stopped)
        {
            // Nothing committed after the stop: replay everything (a time target past the last commit would never be reached).
            replayToEnd = true;
        }

        await PrepareFoldersAsync();
        await _binaries.RunAsync("cp", ["-a", source.BaseBackupDirectory, DataDirectory], TimeSpan.FromMinutes(5), cancellationToken);
        var recovery = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"restore_command = 'cp \"{source.ArchiveDirectory}/%f\" \"%p\"'")
            .AppendLine("recovery_target_timeline = 'latest'");
        if (!replayToEnd)
        {
            recovery
                .AppendLine(CultureInfo.InvariantCulture, $"recovery_target_time = '{target.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture)}+00'")
                .AppendLine("recovery_target_inclusive = true")
                .AppendLine("recovery_target_action = 'promote'");
        }

        await WriteSettingsAsync(recovery.ToString(), cancellationToken);
        await _binaries.RunAsync("touch", [Path.Combine(DataDirectory, "recovery.signal")], TimeSpan.FromSeconds(30), cancellationToken);
        await StartAsync(cancellationToken);
        await WaitUntilAsync("SELECT NOT pg_is_in_recovery()", "promoted after replaying the WAL", cancellationToken);
        await TakeBaseBackupAsync(cancellationToken);
    }

    /// <summary>
    /// Makes this server the green of <paramref name="blue"/> the way Aurora PostgreSQL's Blue/Green does: blue's
    /// schema and sequence values as they are now (green starts as a copy), then a publication of every table on
    /// blue and a subscription here (named <paramref name="name"/>, its slot on blue too) that copies the rows and
    /// applies blue's changes from then on. Logical replication carries rows only: later DDL and sequence values
    /// on blue never reach green, so green's sequences stay where they were copied.
    /// </summary>
    public async Task ReplicateFromAsync(PostgresServer blue, string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(blue);
        await CreateAsync(cancellationToken);
        var database = Database ?? "postgres";
        var schema = Path.Combine(Folder, "blue-schema.sql");
        var bluePort = blue.Port.ToString(CultureInfo.InvariantCulture);
        await _binaries.RunAsync(
            _binaries.Program("pg_dump"),
            ["-h", blue.SocketDirectory, "-p", bluePort, "-U", blue.Superuser, "--schema-only", "--no-publications", "--no-subscriptions", "-f", schema, blue.Database ?? "postgres"],
            TimeSpan.FromMinutes(2),
            cancellationToken);
        await _binaries.RunAsync(
            _binaries.Program("psql"),
            ["-h", SocketDirectory, "-p", Port.ToString(CultureInfo.InvariantCulture), "-U", Superuser, "-d", database, "-q", "-v", "ON_ERROR_STOP=1", "-f", schema],
            TimeSpan.FromMinutes(2),
            cancellationToken);

        // The copy's sequences: schema-only leaves them at their start; a clone has blue's values of this moment.
        await using (var connection = new NpgsqlConnection(blue.AdminConnectionString(blue.Database)))
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand(
                "SELECT format('SELECT setval(%L, %s, true)', quote_ident(schemaname) || '.' || quote_ident(sequencename), last_value) FROM pg_sequences WHERE last_value IS NOT NULL",
                connection);
            var statements = new List<string>();
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    statements.Add(reader.GetString(0));
                }
            }

            foreach (var statement in statements)
            {
                await ScalarAsync(statement, database, cancellationToken);
            }
        }

        await blue.ExecuteAsync($"CREATE PUBLICATION {name} FOR ALL TABLES", blue.Database, cancellationToken);
        await ExecuteAsync(
            $"CREATE SUBSCRIPTION {name} CONNECTION 'host={blue.SocketDirectory} port={bluePort} user={blue.Superuser} dbname={blue.Database ?? "postgres"}' PUBLICATION {name}",
            database,
            cancellationToken);

        // Aurora's green is a storage clone: it holds blue's rows when it becomes available. Here the rows arrive by
        // the subscription's initial copy, so green is ready only when every table's copy is done; until then the
        // apply worker confirms changes to tables still copying without applying them, and the slot lag says nothing.
        await WaitUntilAsync(
            "SELECT count(*) = 0 FROM pg_subscription_rel WHERE srsubstate <> 'r'",
            "done copying blue's tables",
            cancellationToken,
            database);
    }

    /// <summary>
    /// The lag of this server's oldest logical replication slot as sampled (real time, bytes of WAL its subscriber
    /// has not confirmed: pg_wal_lsn_diff of the current WAL position and the slot's confirmed_flush_lsn), as
    /// Aurora PostgreSQL's OldestReplicationSlotLag measures it on blue's writer.
    /// </summary>
    public IReadOnlyList<(DateTimeOffset Time, long Bytes)> SlotLagSamples
    {
        get
        {
            lock (_slotLag)
            {
                return [.. _slotLag];
            }
        }
    }

    /// <summary>Samples the oldest logical slot's lag; nothing when the server has no logical slot.</summary>
    public async Task SampleSlotLagAsync(CancellationToken cancellationToken = default)
    {
        var lag = await ScalarAsync(
            "SELECT max(pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn))::bigint FROM pg_replication_slots WHERE slot_type = 'logical' AND confirmed_flush_lsn IS NOT NULL",
            cancellationToken: cancellationToken);
        if (lag is long bytes)
        {
            lock (_slotLag)
            {
                _slotLag.Add((DateTimeOffset.UtcNow, bytes));
            }
        }
    }

    /// <summary>Closes every client connection (what a reboot or a forced disconnect does to them).</summary>
    public async Task<int> CloseClientConnectionsAsync(CancellationToken cancellationToken = default) =>
        Convert.ToInt32(
            await ScalarAsync(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()",
                cancellationToken: cancellationToken),
            CultureInfo.InvariantCulture);

    /// <summary>Writes a commit record and switches WAL segments, then waits until the archive holds everything written so far.</summary>
    public async Task ArchiveThroughNowAsync(CancellationToken cancellationToken = default)
    {
        // A commit after the requested time is what lets recovery stop at that time.
        await ScalarAsync("SELECT pg_current_xact_id()::text", cancellationToken: cancellationToken);
        var segment = (string)(await ScalarAsync("SELECT pg_walfile_name(pg_switch_wal())", cancellationToken: cancellationToken))!;
        var deadline = Stopwatch.StartNew();
        while (!File.Exists(Path.Combine(ArchiveDirectory, segment)))
        {
            if (deadline.Elapsed > ReadyTimeout)
            {
                throw new TimeoutException($"WAL segment {segment} of the server on {Address}:{Port} was not archived within {ReadyTimeout.TotalSeconds:0} s.");
            }

            await Task.Delay(20, cancellationToken);
        }
    }

    public async Task<object?> ScalarAsync(string sql, string? database = null, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString(database));
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync(cancellationToken);
    }

    public async Task ExecuteAsync(string sql, string? database = null, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString(database));
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Stops the server (fast shutdown: open transactions roll back, clients are disconnected).</summary>
    public async Task StopAsync(bool archiveFirst)
    {
        if (!IsRunning)
        {
            return;
        }

        if (archiveFirst)
        {
            try
            {
                await ArchiveThroughNowAsync();
            }
            catch (Exception error) when (error is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                // The archive keeps what was archived; a later restore reaches that far.
            }
        }

        try
        {
            await _binaries.RunAsync(_binaries.Program("pg_ctl"), ["stop", "-D", DataDirectory, "-m", "fast", "-w", "-t", "30"], TimeSpan.FromSeconds(40));
        }
        catch (Exception error) when (error is InvalidOperationException or TimeoutException)
        {
            _process?.Kill(entireProcessTree: true);
        }

        if (_process is not null)
        {
            await _process.WaitForExitAsync();
            _process.Dispose();
            _process = null;
        }

        StoppedAt = DateTimeOffset.UtcNow;
    }

    private async Task PrepareFoldersAsync()
    {
        Directory.CreateDirectory(Folder);
        Directory.CreateDirectory(SocketDirectory);
        Directory.CreateDirectory(ArchiveDirectory);
        await _binaries.HandOverAsync(Folder);
    }

    private Task WriteSettingsAsync(string? recovery, CancellationToken cancellationToken)
    {
        var settings = new StringBuilder()
            .AppendLine("# Written by the Rekey sandbox for this cluster's server.")
            .AppendLine(CultureInfo.InvariantCulture, $"listen_addresses = '{Address}'")
            .AppendLine(CultureInfo.InvariantCulture, $"port = {Port}")
            .AppendLine(CultureInfo.InvariantCulture, $"unix_socket_directories = '{SocketDirectory}'")
            .AppendLine("max_connections = 100")
            .AppendLine("shared_buffers = 16MB")
            // Durability against power loss is not what the sandbox proves; commit order and WAL contents are unchanged.
            .AppendLine("fsync = off")
            .AppendLine("wal_level = logical")
            .AppendLine("max_wal_senders = 10")
            .AppendLine("max_replication_slots = 10")
            .AppendLine("archive_mode = on")
            // A segment at most every second while writes arrive, so the archive (LatestRestorableTime) trails by about a second.
            .AppendLine("archive_timeout = 1")
            .AppendLine(CultureInfo.InvariantCulture, $"archive_command = 'test ! -f \"{ArchiveDirectory}/%f\" && cp \"%p\" \"{ArchiveDirectory}/%f\"'")
            .AppendLine("timezone = 'UTC'")
            .AppendLine("log_timezone = 'UTC'")
            .AppendLine("logging_collector = on")
            .AppendLine("log_line_prefix = '%m [%p] %q%u@%d '")
            .AppendLine("log_connections = on")
            .AppendLine("log_disconnections = on")
            .Append(recovery ?? string.Empty)
            .ToString();
        var path = Path.Combine(DataDirectory, "rekey.conf");
        return WriteAsServerUserAsync(path, settings, cancellationToken);
    }

    private async Task WriteAsServerUserAsync(string path, string text, CancellationToken cancellationToken)
    {
        await File.WriteAllTextAsync(path, text, cancellationToken);
        await _binaries.HandOverAsync(path);
    }

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        var start = _binaries.StartInfo(_binaries.Program("postgres"), "-D", DataDirectory);
        var process = Process.Start(start) ?? throw new InvalidOperationException("postgres did not start.");
        process.OutputDataReceived += (_, line) => Remember(line.Data);
        process.ErrorDataReceived += (_, line) => Remember(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        StoppedAt = null;
        await WaitUntilAsync("SELECT true", "accepting connections", cancellationToken);
    }

    private async Task WaitUntilAsync(string probe, string what, CancellationToken cancellationToken, string? database = null)
    {
        var deadline = Stopwatch.StartNew();
        Exception? last = null;
        while (deadline.Elapsed < ReadyTimeout)
        {
            if (_process is null || _process.HasExited)
            {
                throw new InvalidOperationException($"The PostgreSQL server on {Address}:{Port} stopped before it was {what}. {Tail()}");
            }

            try
            {
                if (await ScalarAsync(probe, database, cancellationToken) is true)
                {
                    return;
                }
            }
            catch (Exception error) when (error is NpgsqlException or System.Net.Sockets.SocketException or IOException)
            {
                last = error;
            }

            await Task.Delay(25, cancellationToken);
        }

        throw new TimeoutException($"The PostgreSQL server on {Address}:{Port} was not {what} within {ReadyTimeout.TotalSeconds:0} s: {last?.Message} {Tail()}");
    }

    private async Task TakeBaseBackupAsync(CancellationToken cancellationToken)
    {
        // -X none: the WAL the backup needs comes from the archive, which pg_basebackup waits for.
        await _binaries.RunAsync(
            _binaries.Program("pg_basebackup"),
            ["-h", SocketDirectory, "-p", Port.ToString(CultureInfo.InvariantCulture), "-U", Superuser, "-D", BaseBackupDirectory, "-X", "none", "-c", "fast", "--no-sync"],
            TimeSpan.FromMinutes(5),
            cancellationToken);
        BaseBackupCompletedAt = DateTimeOffset.UtcNow;
    }

    private void Remember(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_startupOutput)
        {
            if (_startupOutput.Length < 16_000)
            {
                _startupOutput.AppendLine(line);
            }
        }
    }

    private string Tail()
    {
        var log = Path.Combine(DataDirectory, "log");
        var latest = Directory.Exists(log) ? Directory.GetFiles(log).OrderByDescending(File.GetLastWriteTimeUtc).FirstOrDefault() : null;
        var text = latest is null ? string.Empty : File.ReadAllText(latest);
        lock (_startupOutput)
        {
            text = _startupOutput + text;
        }

        return text.Length > 2000 ? "Server log: …" + text[^2000..] : "Server log: " + text;
    }
}
