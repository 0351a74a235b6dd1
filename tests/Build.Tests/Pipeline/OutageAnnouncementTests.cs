using System.Text.Json;
using Rekey.Build.Lifetime;
using Rekey.Notifications;
using Rekey.Runtime;
using Rekey.Sandbox.SNS;

namespace Rekey.Build.Tests.Pipeline;

/// <summary>SNS subscribers hear when writes go down and when they come back, on AWS's clock, in that order.</summary>
public sealed class OutageAnnouncementTests(AnnouncedSandbox fixture) : IClassFixture<AnnouncedSandbox>
{
    [Fact]
    public async Task A_restore_swap_cutover_announces_writes_down_at_the_rename_and_writes_back_with_the_outage_when_the_writer_answers()
    {
        var (run, _, _) = await fixture.RunAsync(
            "--target=Cutover", "--cluster=inventory", "--confirm=inventory", "--kms-key=alias/outage-inventory", "--create-key",
            "--strategy=restore-swap", "--run-id=outage-inventory", $"--sns-topic-arn={fixture.TopicArn}");
        Assert.True(run.ExitCode == ExitCodes.Succeeded, run.Output);

        var (down, back, steps) = Announcements("inventory");
        Assert.Equal("Fence", down.GetProperty("step").GetString());
        Assert.Equal("CreateInstances", back.GetProperty("step").GetString());

        // The times are the ones the report records on AWS's clock.
        using var report = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(fixture.Artifacts, "inventory-cutover-report.json")));
        var times = report.RootElement.GetProperty("awsTimes");
        AssertTimes(down, back, times.GetProperty("fenced").GetDateTimeOffset(), times.GetProperty("writer-available").GetDateTimeOffset());
        Assert.Contains("Fence renamed the old cluster", down.GetProperty("details").GetString(), StringComparison.Ordinal);

        // In order among the steps' own announcements: down after Fence started and before it ended, back before CreateInstances ended.
        Assert.True(steps.IndexOf("Fence writes-down") > steps.IndexOf("Fence started"), string.Join(", ", steps));
        Assert.True(steps.IndexOf("Fence writes-down") < steps.IndexOf("Fence succeeded"), string.Join(", ", steps));
        Assert.True(steps.IndexOf("CreateInstances writes-back") < steps.IndexOf("CreateInstances succeeded"), string.Join(", ", steps));
    }

    [Fact]
    public async Task A_blue_green_cutover_announces_writes_down_when_the_switchover_starts_and_writes_back_when_it_completes()
    {
        var (run, _, _) = await fixture.RunAsync(
            "--target=Cutover", "--cluster=orders", "--confirm=orders", "--kms-key=alias/outage-orders", "--create-key",
            "--strategy=blue-green", "--run-id=outage-orders", $"--sns-topic-arn={fixture.TopicArn}");

        // Aurora PostgreSQL's Blue/Green stops after the switchover until the operator has advanced the sequences.
        Assert.True(run.ExitCode is ExitCodes.Succeeded or ExitCodes.VerificationFailed, run.Output);

        var (down, back, _) = Announcements("orders");
        Assert.Equal("Switchover", down.GetProperty("step").GetString());
        Assert.Equal("Switchover", back.GetProperty("step").GetString());
        using var report = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(fixture.Artifacts, "orders-cutover-report.json")));
        var times = report.RootElement.GetProperty("awsTimes");
        AssertTimes(down, back, times.GetProperty("switchover-started").GetDateTimeOffset(), times.GetProperty("switched").GetDateTimeOffset());
        Assert.Contains("switchover started", down.GetProperty("details").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_end_of_an_outage_whose_start_this_run_did_not_record_says_its_length_is_not_measured()
    {
        var template = new StepEvent { Status = "x", Step = "CreateInstances", Cluster = "orders", Run = "r" };
        var back = OutageAnnouncer.For(template, "writer-available", DateTimeOffset.Parse("2026-12-07T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture), new Dictionary<string, DateTimeOffset>());

        Assert.NotNull(back);
        Assert.Equal("writes-back", back.Status);
        Assert.Null(back.DurationSeconds);
        Assert.Contains("not measured", back.Details, StringComparison.Ordinal);
        Assert.Null(OutageAnnouncer.For(template, "t1", DateTimeOffset.UnixEpoch, new Dictionary<string, DateTimeOffset>()));
    }

    /// <summary>The cluster's one "writes are down" and one "writes are back" message, in that order, and every message's step and status in order.</summary>
    private (JsonElement Down, JsonElement Back, List<string> Steps) Announcements(string cluster)
    {
        var messages = fixture.Sandbox.Get<SnsState>().MessagesOf(fixture.TopicArn)
            .Where(m => m.MessageAttributes["cluster"].StringValue == cluster)
            .ToList();
        var statuses = messages.Select(m => m.MessageAttributes["status"].StringValue).ToList();
        Assert.Equal(["writes-down", "writes-back"], statuses.Where(s => s!.StartsWith("writes-", StringComparison.Ordinal)));
        var down = JsonDocument.Parse(messages[statuses.IndexOf("writes-down")].Message).RootElement;
        var back = JsonDocument.Parse(messages[statuses.IndexOf("writes-back")].Message).RootElement;
        return (down, back, [.. messages.Select(m => $"{m.MessageAttributes["step"].StringValue} {m.MessageAttributes["status"].StringValue}")]);
    }

    private static void AssertTimes(JsonElement down, JsonElement back, DateTimeOffset started, DateTimeOffset ended)
    {
        Assert.Equal(started, down.GetProperty("times").GetProperty("writes-down").GetDateTimeOffset());
        Assert.Equal(ended, back.GetProperty("times").GetProperty("writes-back").GetDateTimeOffset());
        Assert.Equal(Math.Round((ended - started).TotalSeconds, 1), back.GetProperty("durationSeconds").GetDouble());
        Assert.StartsWith($"Writes to ", down.GetProperty("details").GetString(), StringComparison.Ordinal);
        Assert.Contains($"are down since {started.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'} (AWS's clock)", down.GetProperty("details").GetString(), StringComparison.Ordinal);
        Assert.Contains($"are back at {ended.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'} (AWS's clock), after a write outage of ", back.GetProperty("details").GetString(), StringComparison.Ordinal);
    }
}
