using Rekey.Configuration;

namespace Rekey.Tests.Configuration;

/// <summary>Every duration argument is range-checked when it is read, so no wait starts that cannot finish.</summary>
public sealed class DurationRangeTests
{
    private static readonly IReadOnlySet<string> HostArguments = new HashSet<string>(["target"], StringComparer.OrdinalIgnoreCase);

    private static RekeySettings Read(params (string Name, string Value)[] arguments) =>
        SettingsReader.Read(
            arguments.ToDictionary(a => a.Name, a => (IReadOnlyList<string?>)[a.Value], StringComparer.OrdinalIgnoreCase),
            _ => null,
            HostArguments);

    [Theory]
    [InlineData("max-wait", "0m", "from 1s to 1d")]
    [InlineData("max-wait", "2d", "from 1s to 1d")]
    [InlineData("min-age", "99999999999d", "from 0s to 3650d")]
    [InlineData("poll-interval", "99999999999d", "from 0.01s to 1h")]
    [InlineData("poll-interval", "0s", "from 0.01s to 1h")]
    [InlineData("max-poll-interval", "2h", "from 0.01s to 1h")]
    [InlineData("outage-poll-interval", "0s", "from 0.01s to 1h")]
    public void A_duration_out_of_its_range_fails_naming_the_argument_and_the_range(string name, string value, string range)
    {
        var error = Assert.Throws<InvalidArgumentsException>(() => Read((name, value)));

        var problem = Assert.Single(error.Problems);
        Assert.Equal($"--{name}: '{value}' is out of range: give {range}.", problem);
    }

    [Fact]
    public void Durations_at_the_ends_of_their_ranges_are_read()
    {
        var settings = Read(("max-wait", "1d"), ("min-age", "0s"), ("poll-interval", "0.01s"), ("max-poll-interval", "1h"));

        Assert.Equal(TimeSpan.FromDays(1), settings.MaxWait);
        Assert.Equal(TimeSpan.Zero, settings.MinAge);
        Assert.Equal(TimeSpan.FromMilliseconds(10), settings.PollInterval);
        Assert.Equal(TimeSpan.FromHours(1), settings.MaxPollInterval);
    }

    [Fact]
    public void A_first_pause_longer_than_the_longest_pause_is_refused()
    {
        var error = Assert.Throws<InvalidArgumentsException>(() => Read(("poll-interval", "1m"), ("max-poll-interval", "30s")));

        Assert.Contains("--poll-interval (00:01:00) is longer than --max-poll-interval (00:00:30)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_malformed_duration_names_its_range_too()
    {
        var error = Assert.Throws<InvalidArgumentsException>(() => Read(("max-wait", "soon")));

        Assert.Contains("--max-wait: 'soon' is not a duration such as 7d, 36h, 90m or 1d12h (from 1s to 1d).", error.Message, StringComparison.Ordinal);
    }
}
