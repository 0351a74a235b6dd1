using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Rekey.Sandbox.CloudWatch;
using Rekey.Sandbox.Core;
using Rekey.Sandbox.Dns;
using Rekey.Sandbox.RDS;

namespace Rekey.Sandbox.Tests;

/// <summary>A sandbox in the unruly mode under seed 7, its clock at real speed and moved by the tests.</summary>
public sealed class ChaosFixture : SandboxFixture
{
    public const long Seed = 7;

    protected override SandboxOptions Options => SandboxOptions.ForTests(clockSpeed: 1) with { ChaosSeed = Seed };
}

/// <summary>
/// The unruly mode: names that appear late and linger, late CloudWatch datapoints, a whole-second clock and IAM
/// delays, each drawn from the seed and each on the sandbox clock.
/// </summary>
public sealed class ChaosModeTests(ChaosFixture fixture) : IClassFixture<ChaosFixture>
{
    private const string Account = "111111111111";
    private const string Region = "us-east-1";

    private static readonly string[] Names = [.. Enumerable.Range(0, 20).Select(i => RdsState.InstanceEndpointName(Account, Region, $"chaos-{i}"))];

    private ChaosMode Chaos => fixture.Sandbox.Chaos;

    [Fact]
    public void The_command_line_takes_a_chaos_seed_and_the_sandbox_is_tidy_without_one()
    {
        Assert.Equal(42, CommandLine.Parse(["--chaos-seed=42"]).ChaosSeed);
        Assert.Equal(-3, CommandLine.Parse(["--chaos-seed", "-3"]).ChaosSeed);
        Assert.Null(CommandLine.Parse([]).ChaosSeed);
        var error = Assert.Throws<ArgumentException>(() => CommandLine.Parse(["--chaos-seed=many"]));
        Assert.Contains("--chaos-seed must be a whole number", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_seed_draws_the_same_delays_whatever_the_order_and_another_seed_draws_others()
    {
        var clock = new SandboxClock(1, DateTimeOffset.UnixEpoch);
        var first = new ChaosMode(new SandboxOptions { ChaosSeed = ChaosFixture.Seed }, clock);
        var again = new ChaosMode(new SandboxOptions { ChaosSeed = ChaosFixture.Seed }, clock);
        var other = new ChaosMode(new SandboxOptions { ChaosSeed = ChaosFixture.Seed + 1 }, clock);
        var tidy = new ChaosMode(new SandboxOptions(), clock);

        var delays = Names.Select(first.NameDelay).ToList();
        Assert.Equal(delays, Enumerable.Reverse(Enumerable.Reverse(Names).Select(again.NameDelay).ToList()));
        Assert.NotEqual(delays, Names.Select(other.NameDelay));
        Assert.All(delays, d => Assert.InRange(d, TimeSpan.Zero, ChaosMode.MaxNameDelay));
        Assert.True(delays.Distinct().Count() > 5, "names get delays of their own");
        Assert.All(Names, n => Assert.Equal(TimeSpan.Zero, tidy.NameDelay(n)));
        Assert.All(Names, n => Assert.Equal(TimeSpan.Zero, tidy.NameLinger(n)));
    }

    [Fact]
    public void A_new_name_resolves_only_after_its_own_delay_and_a_removed_name_keeps_answering_for_its_linger()
    {
        var zone = fixture.Sandbox.Dns;
        var name = Names.First(n => Chaos.NameDelay(n) > TimeSpan.FromSeconds(1) && Chaos.NameLinger(n) > TimeSpan.FromSeconds(1));
        var from = fixture.Sandbox.Clock.Now.AddMinutes(1);
        fixture.Sandbox.Runtime.Change(() =>
        {
            zone.Publish(new DnsEntry { Name = name, Address = "127.1.2.3", Owner = "chaos-owner", VisibleFrom = from });
            return 0;
        });
        var appears = from + Chaos.NameDelay(name);

        Assert.Null(Resolve(name, appears.AddSeconds(-1)));
        Assert.NotNull(Resolve(name, appears));

        var removed = appears.AddMinutes(5);
        fixture.Sandbox.Runtime.Change(() =>
        {
            zone.Retire(name, removed);
            return 0;
        });
        var gone = removed + Chaos.NameLinger(name);

        Assert.NotNull(Resolve(name, gone.AddSeconds(-1)));
        Assert.Null(Resolve(name, gone));
    }

    [Fact]
    public void A_replaced_name_answers_the_old_address_until_the_new_one_appears()
    {
        var zone = fixture.Sandbox.Dns;
        var name = RdsState.ClusterEndpointName(Account, Region, Enumerable.Range(0, 50).Select(i => $"chaos-replaced-{i}")
            .First(id => Chaos.NameDelay(RdsState.ClusterEndpointName(Account, Region, id)) > TimeSpan.FromSeconds(1)));
        var at = fixture.Sandbox.Clock.Now;
        fixture.Sandbox.Runtime.Change(() =>
        {
            zone.Publish(new DnsEntry { Name = name, Address = "127.1.1.1", Owner = "old", VisibleFrom = at });
            zone.Publish(new DnsEntry { Name = name, Address = "127.2.2.2", Owner = "new", VisibleFrom = at.AddMinutes(10) });
            return 0;
        });
        var appears = at.AddMinutes(10) + Chaos.NameDelay(name);

        Assert.Equal("old", Resolve(name, appears.AddSeconds(-1))?.Owner);
        Assert.Equal("new", Resolve(name, appears)?.Owner);
    }

    [Fact]
    public void The_clock_and_every_timestamp_read_whole_seconds()
    {
        fixture.Advance(TimeSpan.FromMilliseconds(1500));

        var now = fixture.Sandbox.Clock.Now;

        Assert.True(fixture.Sandbox.Clock.WholeSeconds);
        Assert.Equal(0, now.UtcTicks % TimeSpan.TicksPerSecond);
    }

    [Fact]
    public async Task CloudWatch_datapoints_arrive_only_after_their_delay_and_all_of_them_arrive_in_the_end()
    {
        await fixture.AvailableClusterAsync("chaos-metrics");
        var connection = fixture.Applications.Open(RdsState.ClusterEndpointName(Account, Region, "chaos-metrics"));
        Assert.NotNull(connection);
        fixture.Advance(TimeSpan.FromMinutes(30));
        var asked = fixture.Sandbox.Clock.Now;
        var start = asked.AddMinutes(-30);
        const string metric = Account + "/" + Region + "/DatabaseConnections/DBClusterIdentifier=chaos-metrics";

        var early = Minutes(start, asked);
        var due = Enumerable.Range(0, 31).Select(i => Minute(start).AddMinutes(i)).Where(m => m < asked).ToList();
        Assert.All(early, m => Assert.True(m + Chaos.MetricDelay(metric, m) <= asked, $"{m:u} was read before it arrived"));
        Assert.Contains(due, m => !early.Contains(m));
        Assert.DoesNotContain(due[^1], early);

        fixture.Advance(ChaosMode.MaxMetricDelay + ChaosMode.MetricGapDelay);
        var late = Minutes(start, asked);

        Assert.Equal(due, late);
    }

    [Fact]
    public void GetMetricData_refuses_a_window_that_starts_when_it_ends_with_CloudWatch_s_message()
    {
        var now = fixture.Sandbox.Clock.Now;
        var query = new MetricQuery { Id = "m0", Namespace = "AWS/RDS", MetricName = "CommitThroughput", Dimensions = [new MetricDimension("DBClusterIdentifier", "any")], Period = 60, Stat = "Sum" };

        var error = Assert.Throws<Protocols.AwsServiceException>(() => fixture.Sandbox.Runtime.Read(() =>
            fixture.Sandbox.Get<SimulatedRdsMetrics>().GetMetricData(Account, Region, new MetricDataRequest([query], now, now, true, 100))));

        Assert.Equal("InvalidParameterValue", error.Code);
        Assert.Equal("The parameter StartTime must not equal parameter EndTime.", error.Message);
    }

    [Fact]
    public async Task A_role_created_through_IAM_can_be_assumed_only_after_its_delay()
    {
        const string role = "chaos-late-role";
        var arn = $"arn:aws:iam::{Account}:role/{role}";
        var trust = $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{Account}}:root"},"Action":"sts:AssumeRole"}]}""";
        // The clock stands still while the CLI runs, so only the test moves it past the delay.
        fixture.Sandbox.Runtime.Change(fixture.Sandbox.Clock.Pause);
        CliResult tooEarly;
        JsonNode assumed;
        try
        {
            await fixture.Cli.JsonAsync("iam", "create-role", "--role-name", role, "--assume-role-policy-document", trust);
            tooEarly = await fixture.Cli.FailureAsync("sts", "assume-role", "--role-arn", arn, "--role-session-name", "early");
            fixture.Advance(Chaos.IamDelay(arn));
            assumed = await fixture.Cli.JsonAsync("sts", "assume-role", "--role-arn", arn, "--role-session-name", "later");
        }
        finally
        {
            fixture.Sandbox.Runtime.Change(fixture.Sandbox.Clock.Resume);
        }

        Assert.InRange(Chaos.IamDelay(arn), ChaosMode.MinIamDelay, ChaosMode.MaxIamDelay);
        Assert.Equal("AccessDenied", tooEarly.ErrorCode);
        Assert.Contains(role, assumed["AssumedRoleUser"]!["Arn"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_sandbox_API_reads_and_switches_the_mode()
    {
        using var http = new HttpClient { BaseAddress = fixture.Sandbox.BaseUrl };

        var on = await http.GetFromJsonAsync<JsonObject>("/_sandbox/chaos");
        var off = await (await http.PutAsJsonAsync("/_sandbox/chaos", new { seed = (long?)null })).Content.ReadFromJsonAsync<JsonObject>();
        var tidyClock = fixture.Sandbox.Clock.WholeSeconds;
        var back = await (await http.PutAsJsonAsync("/_sandbox/chaos", new { seed = ChaosFixture.Seed })).Content.ReadFromJsonAsync<JsonObject>();

        Assert.Equal(ChaosFixture.Seed, on!["seed"]!.GetValue<long>());
        Assert.False(off!["on"]!.GetValue<bool>());
        Assert.False(tidyClock);
        Assert.True(back!["on"]!.GetValue<bool>());
        Assert.True(fixture.Sandbox.Clock.WholeSeconds);
    }

    private DnsResolution? Resolve(string name, DateTimeOffset at) => fixture.Sandbox.Runtime.Read(() => fixture.Sandbox.Dns.Resolve(name, at));

    private static DateTimeOffset Minute(DateTimeOffset time) => DateTimeOffset.FromUnixTimeSeconds(time.ToUnixTimeSeconds() / 60 * 60);

    private List<DateTimeOffset> Minutes(DateTimeOffset start, DateTimeOffset end)
    {
        var query = new MetricQuery
        {
            Id = "m0",
            Namespace = "AWS/RDS",
            MetricName = "DatabaseConnections",
            Dimensions = [new MetricDimension("DBClusterIdentifier", "chaos-metrics")],
            Period = 60,
            Stat = "Maximum",
        };
        var result = fixture.Sandbox.Runtime.Read(() => fixture.Sandbox.Get<SimulatedRdsMetrics>().GetMetricData(Account, Region, new MetricDataRequest([query], start, end, true, 1000)));
        return [.. result.Single().Timestamps];
    }
}
