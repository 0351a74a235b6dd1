using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Rekey.Dns;
using Rekey.Waiting;

namespace Rekey.Tests.Dns;

public sealed class EndpointNamesTests
{
    private const string Cluster = "ledger.cluster-abc.us-east-1.rds.amazonaws.com";
    private const string Instance = "ledger-1.abc.us-east-1.rds.amazonaws.com";

    private static readonly WaitSettings Settings = new() { PollInterval = TimeSpan.FromSeconds(1), MaxPollInterval = TimeSpan.FromSeconds(4) };

    [Fact]
    public async Task An_instance_name_that_appears_after_the_cluster_name_is_waited_for_not_judged_on_one_answer()
    {
        var time = new FakeTimeProvider();
        var dns = new ScriptedResolver(time, new() { [Cluster] = TimeSpan.Zero, [Instance] = TimeSpan.FromSeconds(20) });

        var wait = EndpointNames.WaitUntilResolvedAsync(dns, new Waiter(Settings, time, NullLogger.Instance), [Cluster, Instance], TimeSpan.FromMinutes(15), CancellationToken.None);
        await DriveAsync(time, wait);
        var answers = await wait;

        Assert.True(answers[Cluster].Exists);
        Assert.True(answers[Instance].Exists);
        Assert.True(dns.Asked[Instance] > 1, "the instance name was asked again");
        Assert.Equal(1, dns.Asked[Cluster]);
    }

    [Fact]
    public async Task A_name_that_never_appears_is_reported_missing_once_the_deadline_passes()
    {
        var time = new FakeTimeProvider();
        var dns = new ScriptedResolver(time, new() { [Cluster] = TimeSpan.Zero });
        var started = time.GetUtcNow();

        var wait = EndpointNames.WaitUntilResolvedAsync(dns, new Waiter(Settings, time, NullLogger.Instance), [Cluster, Instance], TimeSpan.FromMinutes(1), CancellationToken.None);
        await DriveAsync(time, wait);
        var answers = await wait;

        Assert.True(answers[Cluster].Exists);
        Assert.False(answers[Instance].Exists);
        Assert.InRange(time.GetUtcNow() - started, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2));
    }

    private static async Task DriveAsync(FakeTimeProvider time, Task wait)
    {
        for (var i = 0; i < 10_000 && !wait.IsCompleted; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(250));
            await Task.Delay(1);
        }

        Assert.True(wait.IsCompleted, "the wait did not end on the fake clock");
    }

    /// <summary>Names that start to resolve a given time after the test starts, on the fake clock.</summary>
    private sealed class ScriptedResolver(TimeProvider time, Dictionary<string, TimeSpan> appearAfter) : IEndpointResolver
    {
        private readonly DateTimeOffset _start = time.GetUtcNow();

        public Dictionary<string, int> Asked { get; } = [];

        public Task<EndpointResolution> ResolveAsync(string name, CancellationToken cancellationToken)
        {
            Asked[name] = Asked.GetValueOrDefault(name) + 1;
            return Task.FromResult(appearAfter.TryGetValue(name, out var after) && time.GetUtcNow() - _start >= after
                ? new EndpointResolution(name, true, [], [IPAddress.Parse("127.1.2.3")])
                : EndpointResolution.Missing(name));
        }
    }
}
