using Rekey.Configuration;

namespace Rekey.Tests.Configuration;

public sealed class StrategySettingsTests
{
    private static readonly IReadOnlySet<string> HostArguments = new HashSet<string>(["target"], StringComparer.OrdinalIgnoreCase);

    private static RekeySettings Read(Dictionary<string, string?> arguments, Dictionary<string, string>? environment = null) =>
        SettingsReader.Read(
            arguments.ToDictionary(a => a.Key, a => (IReadOnlyList<string?>)[a.Value], StringComparer.OrdinalIgnoreCase),
            name => environment is not null && environment.TryGetValue(name, out var value) ? value : null,
            HostArguments);

    [Fact]
    public void Strategy_defaults_to_auto_and_switchover_timeout_to_aws_default()
    {
        var settings = Read([]);
        Assert.Equal(CutoverStrategy.Auto, settings.Strategy);
        Assert.Equal(TimeSpan.FromSeconds(300), settings.SwitchoverTimeout);
        Assert.False(settings.SequencesAdvanced);
        Assert.False(settings.RestoreSwapBack);
    }

    [Theory]
    [InlineData("auto", CutoverStrategy.Auto)]
    [InlineData("blue-green", CutoverStrategy.BlueGreen)]
    [InlineData("Restore-Swap", CutoverStrategy.RestoreSwap)]
    public void Each_strategy_spelling_reaches_the_setting(string text, CutoverStrategy expected) =>
        Assert.Equal(expected, Read(new() { ["strategy"] = text }).Strategy);

    [Fact]
    public void Strategy_comes_from_the_environment_when_not_given()
    {
        var settings = Read([], new() { ["REKEY_STRATEGY"] = "blue-green", ["REKEY_SWITCHOVER_TIMEOUT"] = "600" });
        Assert.Equal(CutoverStrategy.BlueGreen, settings.Strategy);
        Assert.Equal(TimeSpan.FromSeconds(600), settings.SwitchoverTimeout);
    }

    [Theory]
    [InlineData("30", 30)]
    [InlineData("3600", 3600)]
    [InlineData("120s", 120)]
    public void Switchover_timeout_within_aws_bounds_is_accepted(string text, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), Read(new() { ["switchover-timeout"] = text }).SwitchoverTimeout);

    [Theory]
    [InlineData("29")]
    [InlineData("3601")]
    [InlineData("5m")]
    public void Switchover_timeout_outside_aws_bounds_fails_with_the_bounds(string text)
    {
        var failure = Assert.Throws<InvalidArgumentsException>(() => Read(new() { ["switchover-timeout"] = text }));
        Assert.Contains("30 to 3600", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_strategy_fails_naming_the_choices()
    {
        var failure = Assert.Throws<InvalidArgumentsException>(() => Read(new() { ["strategy"] = "clone" }));
        Assert.Contains("auto, blue-green or restore-swap", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Blue_green_flags_reach_their_settings()
    {
        var settings = Read(new() { ["sequences-advanced"] = null, ["restore-swap-back"] = "true" });
        Assert.True(settings.SequencesAdvanced);
        Assert.True(settings.RestoreSwapBack);
    }
}
