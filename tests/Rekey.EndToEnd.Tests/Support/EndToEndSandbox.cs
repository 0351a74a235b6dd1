using Amazon;
using Amazon.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Rekey.Aws;
using Rekey.Build;
using Rekey.SandboxRehearsal;
using Rekey.Runtime;
using Rekey.Sandbox;
using Rekey.Sandbox.Core;
using Rekey.Waiting;
using Spectre.Console.Testing;

namespace Rekey.EndToEnd.Tests.Support;

/// <summary>What one in-process run of the build host did: its exit code, its console, and the AWS calls the sandbox served meanwhile.</summary>
public sealed record HostResult(int ExitCode, string Output, IReadOnlyList<CallRecord> Calls, long? ChaosSeed = null)
{
    public IReadOnlyList<CallRecord> MutatingCalls => [.. Calls.Where(c => c.Mutating)];

    /// <summary>This result with only the calls signed with <paramref name="accessKeyId"/>: a run's own, when another ran meanwhile.</summary>
    public HostResult CalledWith(string accessKeyId) => this with { Calls = [.. Calls.Where(c => c.AccessKeyId == accessKeyId)] };

    public override string ToString() =>
        $"exit code {ExitCode}{(ChaosSeed is { } seed ? $" (sandbox chaos seed {seed}: REKEY_CHAOS_SEEDS={seed} reruns under it)" : string.Empty)}{Environment.NewLine}{Output}";
}

/// <summary>
/// A sandbox in this process (free ports, a fast clock, the unruly mode under the test's chaos seed) seeded with
/// <see cref="LedgerCluster"/>, and the real build host run in-process against it, as the workflow runs it.
/// </summary>
public sealed class EndToEndSandbox : IAsyncDisposable
{
    /// <summary>Sandbox seconds per real second: a 20-minute restore takes under half a second.</summary>
    public const double ClockSpeed = 3000;

    private readonly string _artifacts;

    private EndToEndSandbox(SandboxServer server, string artifacts)
    {
        Server = server;
        _artifacts = artifacts;
        Aws = CreateAws();
        Api = SandboxApi.For(server.BaseUrl);
    }

    public SandboxServer Server { get; }

    /// <summary>Clients as the build host gets them, with the SDK's own retries.</summary>
    public IAwsClientFactory Aws { get; }

    public SandboxApi Api { get; }

    public static RegionEndpoint Region { get; } = RegionEndpoint.GetBySystemName(LedgerCluster.Region);

    public string ArtifactsDirectory => _artifacts;

    /// <summary>The seed of the sandbox's unruly mode (<see cref="ChaosSeedsAttribute"/>); null for a tidy sandbox.</summary>
    public long? ChaosSeed => Server.Chaos.Seed;

    /// <summary>A sandbox in the unruly mode under <paramref name="chaosSeed"/> (null: tidy), seeded with the ledger cluster unless <paramref name="seed"/> is false.</summary>
    public static async Task<EndToEndSandbox> StartAsync(long? chaosSeed, bool seed = true, LedgerEncryption encryption = LedgerEncryption.AwsManaged)
    {
        var server = await SandboxServer.StartAsync(SandboxOptions.ForTests(ClockSpeed).WithAwsRateLimits() with { DefaultRegion = LedgerCluster.Region, ChaosSeed = chaosSeed });
        var artifacts = Directory.CreateTempSubdirectory("rekey-e2e-").FullName;
        var sandbox = new EndToEndSandbox(server, artifacts);
        if (seed)
        {
            if (encryption == LedgerEncryption.CustomerKey)
            {
                using var kms = sandbox.Aws.CreateKms(Region);
                var key = await kms.CreateKeyAsync(new Amazon.KeyManagementService.Model.CreateKeyRequest { Description = "ledger's key before the cutover" });
                await kms.CreateAliasAsync(new Amazon.KeyManagementService.Model.CreateAliasRequest { AliasName = LedgerCluster.SourceKeyAlias, TargetKeyId = key.KeyMetadata.KeyId });
            }

            using var rds = sandbox.Aws.CreateRds(Region);
            await LedgerCluster.SeedAsync(rds, new Waiter(WaitSettings.Fast, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance), CancellationToken.None, encryption);
        }

        return sandbox;
    }

    /// <summary>
    /// Clients on this sandbox. <paramref name="options"/> defaults to the SDK's own retries, which keep the
    /// persistent-failure tests short; pass <see cref="RekeyClientDefaults.Options"/> to run as the build does.
    /// <paramref name="accessKeyId"/> names the caller in the sandbox's call log, so runs side by side can tell their calls apart.
    /// </summary>
    public IAwsClientFactory CreateAws(HttpClientFactory? http = null, AwsClientOptions? options = null, string? accessKeyId = null) =>
        new AwsClientFactory((options ?? new AwsClientOptions()) with
        {
            ServiceUrl = Server.BaseUrl.ToString().TrimEnd('/'),
            Credentials = new BasicAWSCredentials(accessKeyId ?? LedgerCluster.Account, "end-to-end"),
            HttpClientFactory = http,
        });

    /// <summary>The arguments every run here shares, then <paramref name="extra"/> (later ones win by being the only ones given).</summary>
    public string[] Arguments(string target, string runId, params string[] extra)
    {
        var common = new List<string>
        {
            $"--target={target}",
            $"--cluster={LedgerCluster.Id}",
            $"--region={LedgerCluster.Region}",
            $"--kms-key={LedgerCluster.KeyAlias}",
            "--create-key",
            $"--dns-server=127.0.0.1:{Server.DnsPort}",
            "--poll-interval=0.02s",
            $"--clock-speed={ClockSpeed.ToString(System.Globalization.CultureInfo.InvariantCulture)}",
            $"--run-id={runId}",
            $"--artifacts={_artifacts}",
        };

        // No wait in a test may hang it: AWS's minutes are milliseconds here.
        if (!extra.Any(e => e.StartsWith("--max-wait=", StringComparison.Ordinal)))
        {
            common.Add("--max-wait=20s");
        }

        return [.. common, .. extra];
    }

    /// <summary>Runs the build host in-process with <paramref name="arguments"/>, on <paramref name="aws"/> or this sandbox's ordinary clients.</summary>
    public async Task<HostResult> RunAsync(IAwsClientFactory? aws, params string[] arguments)
    {
        var console = new TestConsole();
        console.Profile.Width = 240;
        var before = Server.Calls.Snapshot().Count;
        var exitCode = await RekeyBuild.CreateHost()
            .UseConsole(console, console)
            .ConfigureServices(services => services.AddSingleton(aws ?? Aws))
            .RunAsync(arguments);
        var calls = Server.Calls.Snapshot();
        return new HostResult(exitCode, console.Output, [.. calls.Skip(before)], ChaosSeed);
    }

    public Task<HostResult> RunAsync(params string[] arguments) => RunAsync(null, arguments);

    /// <summary>Cutover of the ledger cluster, confirmed, under <paramref name="runId"/>.</summary>
    public Task<HostResult> CutoverAsync(string runId, IAwsClientFactory? aws = null, params string[] extra) =>
        RunAsync(aws, Arguments("Cutover", runId, [$"--confirm={LedgerCluster.Id}", .. extra]));

    public Task<HostResult> RollbackAsync(string runId, IAwsClientFactory? aws = null, params string[] extra) =>
        RunAsync(aws, Arguments("Rollback", runId, [$"--confirm={LedgerCluster.Id}", .. extra]));

    public void AddFault(FaultRule rule) => Server.Faults.Add(rule);

    public async ValueTask DisposeAsync()
    {
        Api.Dispose();
        await Server.DisposeAsync();
        try
        {
            Directory.Delete(_artifacts, recursive: true);
        }
        catch (IOException)
        {
            // A report still open by a finishing run; the temp folder is the system's to clear.
        }
    }
}
