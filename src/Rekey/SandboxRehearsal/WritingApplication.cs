using System.Collections.Concurrent;
using System.Globalization;

namespace Rekey.SandboxRehearsal;

/// <summary>
/// An application writing to one cluster endpoint the whole time, through a pool of connections, as a
/// real one does: a connection resolves the name once when it opens; a write that fails drops the
/// connection, and the pool opens a new one (which fails while the name does not resolve).
/// </summary>
public sealed class WritingApplication : IAsyncDisposable
{
    private readonly SandboxApi _api;
    private readonly string _endpoint;
    private readonly string _account;
    private readonly string _region;
    private readonly string?[] _pool;
    private readonly ConcurrentQueue<SandboxWrite> _acknowledged = new();
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private long _attempts;
    private long _refusedOpens;

    public WritingApplication(SandboxApi api, string name, string endpoint, string account, string region, int poolSize = 4)
    {
        _api = api;
        Name = name;
        _endpoint = endpoint;
        _account = account;
        _region = region;
        _pool = new string?[poolSize];
    }

    public string Name { get; }

    public IReadOnlyList<SandboxWrite> Acknowledged => [.. _acknowledged];

    public long Attempts => Interlocked.Read(ref _attempts);

    public long RefusedOpens => Interlocked.Read(ref _refusedOpens);

    public void Start() => _loop = Task.Run(() => RunAsync(_stop.Token));

    public async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        foreach (var id in _pool.Where(id => id is not null))
        {
            await _api.CloseAsync(id!, CancellationToken.None).ConfigureAwait(false);
        }
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
        long sequence = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            for (var slot = 0; slot < _pool.Length && !cancellationToken.IsCancellationRequested; slot++)
            {
                try
                {
                    _pool[slot] ??= (await _api.OpenAsync(_endpoint, _account, _region, cancellationToken).ConfigureAwait(false))?.Id;
                    if (_pool[slot] is null)
                    {
                        Interlocked.Increment(ref _refusedOpens);
                        continue;
                    }

                    var key = $"{Name}-{++sequence:D6}";
                    Interlocked.Increment(ref _attempts);
                    var write = await _api.WriteAsync(_pool[slot]!, key, sequence.ToString(CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
                    if (write.Acknowledged)
                    {
                        _acknowledged.Enqueue(write);
                    }
                    else
                    {
                        await _api.CloseAsync(_pool[slot]!, cancellationToken).ConfigureAwait(false);
                        _pool[slot] = null;
                    }
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return;
                }
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
