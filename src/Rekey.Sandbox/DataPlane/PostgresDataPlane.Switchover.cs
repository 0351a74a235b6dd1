using Npgsql;
using Rekey.Sandbox.RDS;

namespace Rekey.Sandbox.DataPlane;

/// <summary>
/// A Blue/Green switchover on the real engine, as Aurora documents its actions: once the guardrails pass it stops
/// writes on both environments and drops their connections (new client connections are refused, blue's new
/// transactions are read only, open client connections are closed), waits until green's subscription has applied
/// and confirmed everything blue wrote, then (RDS moves the names, DNS follows) lets clients in again with green
/// writable and the old blue read only. At the timeout it rolls back: blue writable again. Sequences are left as
/// logical replication leaves them. While the sandbox waits on the servers under its runtime lock (every API call waits
/// too), and while green catches up, its clock runs at real speed: on AWS that work takes its real time, which at the
/// clock's speed would read as minutes.
/// </summary>
public sealed partial class PostgresDataPlane
{
    private static readonly TimeSpan SwitchoverStepTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan CatchUpHeldBack = TimeSpan.FromMinutes(2);
    private readonly Dictionary<string, Fence> _fences = new(StringComparer.Ordinal);

    /// <summary>
    /// RDS's question (see <see cref="RdsState.GreenCaughtUp"/>), under the runtime lock: the first time, stops writes
    /// on blue and green and starts following green's catch-up; then answers whether green has caught up.
    /// </summary>
    private bool? GreenCaughtUp(BlueGreenDeployment deployment)
    {
        lock (_entries)
        {
            if (!_entries.TryGetValue(deployment.SourceClusterResourceId, out var blue) || blue.Server is null
                || !_entries.TryGetValue(deployment.TargetClusterResourceId, out var green) || green.Server is null)
            {
                return null;
            }

            if (!_fences.TryGetValue(deployment.Identifier, out var fence))
            {
                fence = StopWrites(blue, green, ReplicationName(deployment.TargetClusterResourceId));
                _fences[deployment.Identifier] = fence;
            }

            return fence.CaughtUp.IsCompletedSuccessfully;
        }
    }

    private Fence StopWrites(Entry blue, Entry green, string slot)
    {
        var cancel = new CancellationTokenSource();
        Task caughtUp;
        try
        {
            if (!blue.Ready!.IsCompletedSuccessfully || !green.Ready!.IsCompletedSuccessfully)
            {
                throw new InvalidOperationException("the server of blue or green is not running");
            }

            string position;
            IDisposable catchingUp;
            using (_clock.AtRealSpeed())
            {
                position = Task.Run(() => StopWritesAsync(blue.Server!, green.Server!)).WaitAsync(SwitchoverStepTimeout).GetAwaiter().GetResult();
                catchingUp = _clock.AtRealSpeed();
            }

            caughtUp = Task.Run(() => WaitForCatchUpAsync(blue.Server!, slot, position, cancel.Token));
            _ = caughtUp.WaitAsync(CatchUpAtRealSpeedAtMost()).ContinueWith(
                _ => catchingUp.Dispose(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
        catch (Exception error) when (error is NpgsqlException or InvalidOperationException or IOException or TimeoutException)
        {
            LogFailure(blue.Identifier ?? blue.ClusterResourceId, "stopping writes for the switchover: " + error.Message);
            caughtUp = Task.FromException(error);
        }

        return new Fence(blue, green, caughtUp, cancel);
    }

    /// <summary>
    /// How long green's catch-up may run the clock at real speed. Applying what blue wrote last is the engine's real work, whose
    /// real time at 120x would read as a minute of AWS time for half a second of a busy machine; but clients pace their waits
    /// by the clock's speed, so the clock may fall behind them by at most <see cref="CatchUpHeldBack"/> (a stuck catch-up then
    /// runs on at the clock's speed, to the switchover timeout).
    /// </summary>
    private TimeSpan CatchUpAtRealSpeedAtMost() => CatchUpHeldBack / Math.Max(_clock.Speed - 1, 1);

    /// <summary>Refuses new clients on both, makes blue read only, closes both's client connections; returns blue's WAL position after.</summary>
    private static async Task<string> StopWritesAsync(PostgresServer blue, PostgresServer green)
    {
        await blue.RefuseClientsAsync(refuse: true);
        await green.RefuseClientsAsync(refuse: true);
        await blue.SetReadOnlyAsync(readOnly: true);

        // The postmaster applies a reload on its next loop: a connection let in just before is closed with the rest.
        await Task.Delay(100);
        await blue.CloseClientConnectionsAsync();
        await green.CloseClientConnectionsAsync();
        return await blue.CurrentWalPositionAsync();
    }

    /// <summary>Polls blue's slot until green has confirmed every change up to <paramref name="position"/>.</summary>
    private static async Task WaitForCatchUpAsync(PostgresServer blue, string slot, string position, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                if (await blue.SlotConfirmedThroughAsync(slot, position, cancellationToken))
                {
                    return;
                }
            }
            catch (NpgsqlException) when (!cancellationToken.IsCancellationRequested)
            {
                // A look that failed (a connection closed with the clients): the next one decides.
            }

            await Task.Delay(20, cancellationToken);
        }
    }

    /// <summary>Ends the switchover on the servers once RDS has completed it (green open and writable) or rolled it back (blue writable again).</summary>
    private void FinishSwitchovers()
    {
        foreach (var (identifier, fence) in _fences.ToList())
        {
            var deployment = _rds.BlueGreenDeployments.FirstOrDefault(d => d.Identifier == identifier);
            if (deployment?.Status == BlueGreenStatus.SwitchoverInProgress)
            {
                continue;
            }

            _fences.Remove(identifier);
            fence.Cancel.Cancel();
            var completed = deployment?.Status == BlueGreenStatus.SwitchoverCompleted;
            try
            {
                using var realSpeed = _clock.AtRealSpeed();
                Task.Run(() => OpenAsync(fence, completed, ReplicationName(fence.Green.ClusterResourceId))).Wait(SwitchoverStepTimeout);
            }
            catch (AggregateException error)
            {
                LogFailure(fence.Blue.Identifier ?? fence.Blue.ClusterResourceId, "ending the switchover: " + (error.InnerException?.Message ?? error.Message));
            }
            finally
            {
                fence.Cancel.Dispose();
            }
        }
    }

    private static async Task OpenAsync(Fence fence, bool completed, string subscription)
    {
        try
        {
            await fence.CaughtUp;
        }
        catch (Exception error) when (error is OperationCanceledException or NpgsqlException or InvalidOperationException or IOException or TimeoutException)
        {
            // Rolled back before green caught up, or it never started: the servers are opened all the same.
        }

        if (completed)
        {
            // Green no longer follows the old blue, whose slot goes with the subscription.
            await fence.Green.Server!.DropSubscriptionAsync(subscription);
        }
        else
        {
            await fence.Blue.Server!.SetReadOnlyAsync(readOnly: false);
        }

        await fence.Blue.Server!.RefuseClientsAsync(refuse: false);
        await fence.Green.Server!.RefuseClientsAsync(refuse: false);
    }

    /// <summary>
    /// A server's read-only setting follows its cluster's (the old blue after a switchover, a green left behind by a
    /// deleted deployment) until a writer reboot clears it; not while a switchover of the cluster is under way.
    /// </summary>
    private void FollowReadOnly(DbCluster cluster, Entry entry)
    {
        if (entry.Stopping || entry.Ready is not { IsCompletedSuccessfully: true } || !entry.Server!.IsRunning
            || entry.Server.ReadOnly == cluster.ReadOnlyUntilWriterReboot || _fences.Values.Any(f => f.Blue == entry || f.Green == entry))
        {
            return;
        }

        try
        {
            using var realSpeed = _clock.AtRealSpeed();
            Task.Run(() => entry.Server.SetReadOnlyAsync(cluster.ReadOnlyUntilWriterReboot)).Wait(SwitchoverStepTimeout);
        }
        catch (AggregateException error)
        {
            LogFailure(entry.Identifier ?? entry.ClusterResourceId, "setting read only: " + (error.InnerException?.Message ?? error.Message));
        }
    }

    /// <summary>A switchover under way on the servers: its two entries and the wait for green to catch up.</summary>
    private sealed record Fence(Entry Blue, Entry Green, Task CaughtUp, CancellationTokenSource Cancel);
}
