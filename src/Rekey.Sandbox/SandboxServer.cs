using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Rekey.Sandbox.Core;
using Rekey.Sandbox.Dns;
using Rekey.Sandbox.Protocols;

namespace Rekey.Sandbox;

/// <summary>
/// A running sandbox: AWS APIs over HTTP and a DNS server, both on 127.0.0.1. Tests start one
/// in-process with <c>await SandboxServer.StartAsync(SandboxOptions.ForTests())</c> and point
/// clients at <see cref="BaseUrl"/>; the handle also exposes the state for inspection and driving.
/// </summary>
public sealed class SandboxServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly SandboxDnsServer _dns;
    private readonly IPAddress _dnsAddress;

    private SandboxServer(WebApplication app, SandboxDnsServer dns, IPAddress dnsAddress, Uri baseUrl)
    {
        _app = app;
        _dns = dns;
        _dnsAddress = dnsAddress;
        BaseUrl = baseUrl;
    }

    /// <summary>http://127.0.0.1:port/ — the endpoint URL for every AWS client.</summary>
    public Uri BaseUrl { get; }

    public int Port => BaseUrl.Port;

    public int DnsPort => _dns.Port;

    public IPEndPoint DnsEndPoint => new(_dnsAddress, _dns.Port);

    public SandboxRuntime Runtime => Get<SandboxRuntime>();

    public SandboxClock Clock => Get<SandboxClock>();

    public CallLog Calls => Get<CallLog>();

    public FaultInjector Faults => Get<FaultInjector>();

    public IKeyRegistry Keys => Get<IKeyRegistry>();

    public SandboxOrganizations Organizations => Get<SandboxOrganizations>();

    public DnsZone Dns => Get<DnsZone>();

    /// <summary>The unruly mode; <c>Chaos.Set(seed)</c> under <c>Runtime.Change</c> switches it at run time.</summary>
    public ChaosMode Chaos => Get<ChaosMode>();

    public StateStore State => Get<StateStore>();

    /// <summary>Any registered component (e.g. RDS.RdsState, RDS.SimulatedApplications).</summary>
    public T Get<T>()
        where T : notnull => _app.Services.GetRequiredService<T>();

    public static async Task<SandboxServer> StartAsync(SandboxOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new SandboxOptions();
        var app = Build(options);

        // The mode sets the clock's resolution: in force before the first answer.
        app.Services.GetRequiredService<ChaosMode>();
        app.Services.GetRequiredService<StateStore>().LoadIfPresent();
        var runtime = app.Services.GetRequiredService<SandboxRuntime>();
        MapRequests(app, runtime);
        var dns = StartDns(app.Services.GetRequiredService<DnsZone>(), runtime, options.DnsAddress, options.DnsPort);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            dns.Dispose();
            await app.DisposeAsync();
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var port = new Uri(address).Port;
        return new SandboxServer(app, dns, options.DnsAddress, new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/"));
    }

    /// <summary>The web host on loopback at the options' port, with its logging and the sandbox's services.</summary>
    private static WebApplication Build(SandboxOptions options)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        if (options.ConsoleLogging)
        {
            builder.Logging.AddSimpleConsole(console =>
            {
                console.SingleLine = true;
                console.TimestampFormat = "HH:mm:ss ";
            });
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.Logging.AddFilter("Rekey.Sandbox", LogLevel.Information);
        }

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, options.Port);
        });

        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(new SandboxClock(options.ClockSpeed, options.ClockStart ?? DateTimeOffset.UtcNow));
        services.AddSandboxServices();
        services.AddSingleton(sp => new StateStore(sp.GetServices<IStatefulComponent>(), sp.GetRequiredService<SandboxClock>(), options.StateFile));
        services.AddSingleton(sp => new Lazy<StateStore>(sp.GetRequiredService<StateStore>));
        services.AddSingleton<SandboxRuntime>();
        services.AddSingleton<ServiceRouter>();
        return builder.Build();
    }

    /// <summary>AWS calls go to the service router, /_sandbox to the control APIs; every answer is dated on the sandbox clock.</summary>
    private static void MapRequests(WebApplication app, SandboxRuntime runtime)
    {
        var router = app.Services.GetRequiredService<ServiceRouter>();
        app.Use(async (context, next) =>
        {
            // Every timestamp is on the sandbox clock, the Date header included.
            context.Response.OnStarting(() =>
            {
                context.Response.Headers.Date = runtime.Clock.Now.ToString("R", CultureInfo.InvariantCulture);
                return Task.CompletedTask;
            });
            if (context.Request.Path.StartsWithSegments("/_sandbox", StringComparison.Ordinal))
            {
                await next(context);
                return;
            }

            await router.RouteAsync(context);
        });
        foreach (var api in app.Services.GetServices<ISandboxControlApi>())
        {
            api.MapRoutes(app);
        }
    }

    /// <summary>Completes when the host is asked to stop (Ctrl+C, SIGTERM).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _app.WaitForShutdownAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        _dns.Dispose();
        Get<StateStore>().Save();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static SandboxDnsServer StartDns(DnsZone zone, SandboxRuntime runtime, IPAddress address, int port)
    {
        // Port 0: find a port free for both UDP and TCP, retrying if another process takes it first.
        for (var attempt = 0; ; attempt++)
        {
            var chosen = port == 0 ? FreeUdpAndTcpPort(address) : port;
            var server = new SandboxDnsServer(zone, runtime, address, chosen);
            try
            {
                server.Start();
                return server;
            }
            catch (SocketException) when (port == 0 && attempt < 10)
            {
                server.Dispose();
            }
        }
    }

    private static int FreeUdpAndTcpPort(IPAddress address)
    {
        while (true)
        {
            var tcp = new TcpListener(address, 0);
            tcp.Start();
            var port = ((IPEndPoint)tcp.LocalEndpoint).Port;
            try
            {
                using var udp = new UdpClient(new IPEndPoint(address, port));
                return port;
            }
            catch (SocketException)
            {
                // Taken for UDP; try another.
            }
            finally
            {
                tcp.Stop();
            }
        }
    }
}
