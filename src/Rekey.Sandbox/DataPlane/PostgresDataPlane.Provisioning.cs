using Rekey.Sandbox.Dns;
using Rekey.Sandbox.RDS;

namespace Rekey.Sandbox.DataPlane;

/// <summary>A server for each new aurora-postgresql cluster: empty, a point-in-time copy, or a green replicating from its blue.</summary>
public sealed partial class PostgresDataPlane
{
    /// <summary>
    /// Runs before RDS's transitions: starts a server for each new cluster and holds a creation or
    /// restore that is due until its server is ready, so a cluster is never available without one
    /// (creation takes as long as initdb or the WAL replay takes). Nothing here waits on a server.
    /// </summary>
    public void HoldUntilReady(DateTimeOffset now)
    {
        Times.Sample(now, DateTimeOffset.UtcNow);
        lock (_entries)
        {
            foreach (var cluster in _rds.Clusters.Where(c => c.Engine == "aurora-postgresql"))
            {
                var entry = EntryFor(cluster);
                if (entry.Server is not null && !entry.Ready!.IsCompleted && cluster.Pending is { Action: "create" or "restore" } pending && pending.DueAt <= now)
                {
                    cluster.Pending = pending with { DueAt = now + TimeSpan.FromMilliseconds(1) };
                }
            }

            foreach (var deployment in _rds.BlueGreenDeployments)
            {
                HoldGreenCopy(deployment, now);
            }
        }
    }

    /// <summary>The publication, subscription and slot name of a green: a PostgreSQL identifier made from its resource id.</summary>
    internal static string ReplicationName(string greenResourceId) =>
        "rekey_bluegreen_" + new string([.. greenResourceId.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_')]);

    /// <summary>A real-engine green is not available before its copy of blue is: the copy task ends no earlier than its server is ready.</summary>
    private void HoldGreenCopy(BlueGreenDeployment deployment, DateTimeOffset now)
    {
        if (!_entries.TryGetValue(deployment.TargetClusterResourceId, out var green) || green.Server is null || green.Ready!.IsCompleted)
        {
            return;
        }

        var copy = deployment.Tasks.Find(t => t.Name == "CREATING_READ_REPLICA_OF_SOURCE");
        if (copy is null || copy.EndsAt > now)
        {
            return;
        }

        var shift = now + TimeSpan.FromMilliseconds(1) - copy.EndsAt;
        var index = deployment.Tasks.IndexOf(copy);
        for (var i = index; i < deployment.Tasks.Count; i++)
        {
            var task = deployment.Tasks[i];
            deployment.Tasks[i] = new BlueGreenTask { Name = task.Name, Status = task.Status, StartsAt = i == index ? task.StartsAt : task.StartsAt + shift, EndsAt = task.EndsAt + shift };
        }
    }

    private Entry EntryFor(DbCluster cluster)
    {
        if (!_entries.TryGetValue(cluster.ResourceId, out var entry))
        {
            entry = Begin(cluster);
            _entries[cluster.ResourceId] = entry;
        }

        return entry;
    }

    private Entry Begin(DbCluster cluster)
    {
        if (Mode != DataPlaneMode.Postgres)
        {
            return new Entry(cluster.ResourceId) { Identifier = cluster.Identifier };
        }

        EnsureFolder();
        var (blue, source) = OriginOf(cluster);
        var origin = blue ?? source;
        var server = new PostgresServer(
            Binaries!,
            Path.Combine(_folder!, cluster.ResourceId),
            cluster.ResourceId,
            DnsZone.LoopbackAddressFor(cluster.ResourceId),
            cluster.Port,
            origin?.Server!.Superuser ?? cluster.MasterUsername ?? "postgres",
            origin?.Server!.Database ?? cluster.DatabaseName);
        var entry = new Entry(cluster.ResourceId) { Identifier = cluster.Identifier, Server = server };
        entry.Ready = Prepare(cluster, server, blue, source);
        entry.Ready.ContinueWith(
            failed => LogFailure(cluster.Identifier, failed.Exception!.InnerException?.Message ?? failed.Exception.Message),
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted,
            TaskScheduler.Default);

        _archiveWatch ??= Task.Run(WatchArchivesAsync);
        LogProvisioning(cluster.Identifier, server.Address, server.Port, blue is not null ? "green, logical replication from blue" : source is null ? "new" : "point-in-time restore");
        return entry;
    }

    /// <summary>The folder every server's folder is made in, made on first use.</summary>
    private void EnsureFolder()
    {
        if (_folder is not null)
        {
            return;
        }

        _folder = _configuredFolder ?? Directory.CreateTempSubdirectory("rekey-sandbox-pg-").FullName;
        Directory.CreateDirectory(_folder);

        // The server user (not the sandbox's) must pass through to its own cluster folders.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(_folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        }
    }

    /// <summary>The real-engine blue a green replicates from, or the real-engine source a restore copies; both null for a new cluster.</summary>
    private (Entry? Blue, Entry? Source) OriginOf(DbCluster cluster)
    {
        // A green of a real-engine blue is kept in step with it by logical replication.
        if (_rds.BlueGreenDeployments.FirstOrDefault(d => d.TargetClusterResourceId == cluster.ResourceId) is { } deployment
            && _entries.TryGetValue(deployment.SourceClusterResourceId, out var blue) && blue.Server is not null)
        {
            return (blue, null);
        }

        return cluster.RestoredFromResourceId is { } sourceId && _entries.TryGetValue(sourceId, out var source) && source.Server is not null
            ? (null, source)
            : (null, null);
    }

    /// <summary>Makes the server what the cluster is: a green's copy of blue, a restore of the source's WAL to the restore time, or an empty server.</summary>
    private Task Prepare(DbCluster cluster, PostgresServer server, Entry? blue, Entry? source)
    {
        if (blue is not null)
        {
            return Task.Run(async () =>
            {
                await blue.Ready!;
                await server.ReplicateFromAsync(blue.Server!, ReplicationName(cluster.ResourceId));
            });
        }

        if (source is not null)
        {
            var target = Times.ToReal(cluster.RestoredToTime ?? _clock.Now);
            return Task.Run(async () =>
            {
                await source.Ready!;
                await server.RestoreFromAsync(source.Server!, target);
            });
        }

        return Task.Run(() => server.CreateAsync());
    }
}
