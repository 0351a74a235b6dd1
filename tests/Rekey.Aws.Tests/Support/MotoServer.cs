using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Amazon;
using Amazon.Runtime;

namespace Rekey.Aws.Tests.Support;

/// <summary>
/// moto_server (an independent AWS mock) on a free loopback port for the wire tests. Started once
/// for the collection and stopped (with its children) when the collection ends.
/// </summary>
public sealed class MotoServer : IAsyncLifetime
{
    private Process? _process;

    public Uri Endpoint { get; private set; } = null!;

    public static RegionEndpoint Region => RegionEndpoint.USEast1;

    public async Task InitializeAsync()
    {
        var port = FreePort();
        var start = new ProcessStartInfo("moto_server") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "-H", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            _process = Process.Start(start) ?? throw new InvalidOperationException("moto_server did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("moto_server is not installed; the wire tests need it (pip install 'moto[server]').", e);
        }

        // Drain its output so a full pipe never blocks it.
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        Endpoint = new Uri($"http://127.0.0.1:{port}");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"moto_server exited with code {_process.ExitCode} before answering on {Endpoint}.");
            }

            try
            {
                using var response = await http.GetAsync(new Uri(Endpoint, "/moto-api/"));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Not answering yet.
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"moto_server did not answer on {Endpoint} within 60 seconds.");
            }

            await Task.Delay(100);
        }
    }

    public Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }

        _process?.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>A client factory pointing every service at this moto_server.</summary>
    public AwsClientFactory Factory(int maxErrorRetry = 0) => new(new AwsClientOptions
    {
        ServiceUrl = Endpoint.ToString(),
        Credentials = new BasicAWSCredentials("AKIAMOTOTESTING00001", "moto-secret"),
        MaxErrorRetry = maxErrorRetry,
    });

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

[CollectionDefinition(Name)]
public sealed class MotoCollection : ICollectionFixture<MotoServer>
{
    public const string Name = "moto_server";
}
