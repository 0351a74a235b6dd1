using System.Net;
using DnsClient;
using Rekey.Sandbox.RDS;

namespace Rekey.Sandbox.Tests;

/// <summary>
/// One in-process sandbox per test class, on free ports. The default clock runs at real speed
/// and tests move it forward explicitly (<see cref="Advance"/>), so timings are exact and no
/// test waits in real time.
/// </summary>
public class SandboxFixture : IAsyncLifetime
{
    public SandboxServer Sandbox { get; private set; } = null!;

    internal AwsCli Cli { get; private set; } = null!;

    internal SandboxQuery Query { get; private set; } = null!;

    protected virtual SandboxOptions Options => SandboxOptions.ForTests(clockSpeed: 1);

    public RdsState Rds => Sandbox.Get<RdsState>();

    public SimulatedApplications Applications => Sandbox.Get<SimulatedApplications>();

    private AwsCliSession? _cliSession;

    public async Task InitializeAsync()
    {
        Sandbox = await SandboxServer.StartAsync(Options);
        _cliSession = new AwsCliSession();
        Cli = new AwsCli(Sandbox.BaseUrl, session: _cliSession);
        Query = new SandboxQuery(Sandbox.BaseUrl);
    }

    public async Task DisposeAsync()
    {
        if (_cliSession is not null)
        {
            await _cliSession.DisposeAsync();
        }

        await Sandbox.DisposeAsync();
    }

    public void Advance(TimeSpan by) => Sandbox.Clock.Advance(by);

    /// <summary>Creates a cluster with one instance (the writer) and moves the clock until both are available.</summary>
    public async Task AvailableClusterAsync(string identifier, bool encrypted = false, string account = "111111111111", params (string Name, string Value)[] extra)
    {
        await Query.CreateClusterAsync(identifier, account, encrypted, extra);
        Advance(Sandbox.Runtime.Durations.ClusterCreate);
        await Query.CreateInstanceAsync(identifier, identifier + "-1", account);
        Advance(Sandbox.Runtime.Durations.InstanceCreate);
    }

    /// <summary>A customer key, made under the runtime lock as the KMS API would.</summary>
    public Core.SandboxKey CreateCustomerKey(string account, string region, string? alias = null) =>
        Sandbox.Runtime.Change(() => Sandbox.Keys.CreateCustomerKey(account, region, alias, "test key"));

    public Core.SandboxKey SetKeyState(Core.SandboxKey key, string keyState) =>
        Sandbox.Runtime.Change(() => Sandbox.Keys.SetKeyState(key.Account, key.Region, key.KeyId, keyState));

    public T Read<T>(Func<RdsState, T> reader) => Sandbox.Runtime.Read(() => reader(Rds));

    /// <summary>Asks the sandbox's DNS server, over UDP or TCP, with no cache.</summary>
    public async Task<DnsAnswer> ResolveAsync(string name, bool tcp = false)
    {
        var client = new LookupClient(new LookupClientOptions(new NameServer(IPAddress.Loopback, Sandbox.DnsPort))
        {
            UseCache = false,
            UseTcpOnly = tcp,
            Retries = 0,
            Timeout = TimeSpan.FromSeconds(5),
            ThrowDnsErrors = false,
            ContinueOnDnsError = false,
        });
        var response = await client.QueryAsync(name, QueryType.A);
        return new DnsAnswer(
            response.Header.ResponseCode,
            response.Answers.CnameRecords().Select(r => r.CanonicalName.Value.TrimEnd('.')).ToList(),
            response.Answers.ARecords().Select(r => r.Address).ToList());
    }

    /// <summary>Polls until <paramref name="condition"/> holds, failing after a deadline.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, double seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting until {what}.");
            }

            await Task.Delay(50);
        }
    }
}

public sealed record DnsAnswer(DnsHeaderResponseCode Code, IReadOnlyList<string> Cnames, IReadOnlyList<IPAddress> Addresses)
{
    public bool Exists => Code == DnsHeaderResponseCode.NoError && Addresses.Count > 0;
}
