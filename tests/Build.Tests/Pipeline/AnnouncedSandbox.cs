using Amazon;
using Amazon.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Rekey.Aws;
using Rekey.Aws.SNS.Model;
using Rekey.Build.Tests.Host;
using Rekey.SandboxRehearsal;
using Rekey.Sandbox;
using Rekey.Waiting;

namespace Rekey.Build.Tests.Pipeline;

/// <summary>A sandbox with the rehearsal's sample account and an SNS topic, for runs of the real host.</summary>
public sealed class AnnouncedSandbox : IAsyncLifetime
{
    public const string Region = "us-east-1";

    private readonly SemaphoreSlim _oneRunAtATime = new(1, 1);

    public SandboxServer Sandbox { get; private set; } = null!;

    public IAwsClientFactory Aws { get; private set; } = null!;

    public string TopicArn { get; private set; } = null!;

    public string Artifacts { get; } = Path.Combine(Path.GetTempPath(), "rekey-announced-" + Guid.NewGuid().ToString("N")[..8]);

    /// <summary>The arguments every run against this sandbox takes: its Region, DNS, a fast poll and the artifacts folder.</summary>
    public IReadOnlyList<string> CommonArguments =>
        [$"--region={Region}", $"--dns-server=127.0.0.1:{Sandbox.DnsPort}", "--poll-interval=0.05s", "--clock-speed=600", $"--artifacts={Artifacts}"];

    public async Task InitializeAsync()
    {
        Sandbox = await SandboxServer.StartAsync(SandboxOptions.ForTests(600) with { DefaultRegion = Region });
        Aws = new AwsClientFactory(new AwsClientOptions
        {
            ServiceUrl = Sandbox.BaseUrl.ToString().TrimEnd('/'),
            Credentials = new BasicAWSCredentials(SampleAccount.Account, "announced"),
        });
        var region = RegionEndpoint.GetBySystemName(Region);
        using (var rds = Aws.CreateRds(region))
        {
            await SampleAccount.SeedAsync(rds, new Waiter(WaitSettings.Fast, TimeProvider.System, NullLogger.Instance), CancellationToken.None);
        }

        using var sns = Aws.CreateSns(region);
        TopicArn = (await sns.CreateTopicAsync(new CreateTopicRequest { Name = "rekey-announcements" })).TopicArn!;
    }

    /// <summary>Runs the host with the arguments; returns what it printed and the AWS calls it made, in order.</summary>
    public Task<(HostRun Run, IReadOnlyList<string> Calls, IReadOnlyList<string> MutatingCalls)> RunAsync(params string[] args) =>
        RunAsync(new Dictionary<string, string?>(), args);

    /// <summary>The same, with <paramref name="environment"/> set in the run's Cake environment.</summary>
    public async Task<(HostRun Run, IReadOnlyList<string> Calls, IReadOnlyList<string> MutatingCalls)> RunAsync(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        await _oneRunAtATime.WaitAsync();
        try
        {
            var before = Sandbox.Calls.Find().Count;
            var run = await HostRun.RunAsync(
                RekeyBuild.CreateHost().ConfigureServices(services =>
                {
                    services.AddSingleton(Aws);
                    EnvironmentWith.Register(services, environment);
                }),
                [.. args, .. CommonArguments]);
            var calls = Sandbox.Calls.Find().Skip(before).ToList();
            return (
                run,
                calls.Select(c => $"{c.Service}:{c.Operation}").ToList(),
                calls.Where(c => c.Mutating && c.Service != "sns").Select(c => $"{c.Service}:{c.Operation}").ToList());
        }
        finally
        {
            _oneRunAtATime.Release();
        }
    }

    public async Task DisposeAsync()
    {
        await Sandbox.DisposeAsync();
        if (Directory.Exists(Artifacts))
        {
            Directory.Delete(Artifacts, recursive: true);
        }
    }
}
