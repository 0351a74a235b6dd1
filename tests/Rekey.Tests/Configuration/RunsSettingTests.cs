using Rekey.Configuration;

namespace Rekey.Tests.Configuration;

public sealed class RunsSettingTests
{
    private static RekeySettings Read(string? runs, string? environment = null) =>
        SettingsReader.Read(
            runs is null
                ? new Dictionary<string, IReadOnlyList<string?>>()
                : new Dictionary<string, IReadOnlyList<string?>> { ["runs"] = [runs] },
            name => name == "REKEY_RUNS" ? environment : null,
            new HashSet<string>(["target"], StringComparer.OrdinalIgnoreCase));

    [Fact]
    public void Runs_defaults_to_three()
    {
        Assert.Equal(RekeySettings.DefaultRuns, Read(null).Runs);
        Assert.Equal(3, RekeySettings.DefaultRuns);
    }

    [Fact]
    public void Runs_comes_from_the_argument_or_the_environment()
    {
        Assert.Equal(5, Read("5").Runs);
        Assert.Equal(7, Read(null, "7").Runs);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("101")]
    [InlineData("three")]
    [InlineData("2.5")]
    public void Runs_outside_1_to_100_is_refused_with_the_range(string runs)
    {
        var error = Assert.Throws<InvalidArgumentsException>(() => Read(runs));

        Assert.Contains($"--runs: '{runs}' is not a number of runs from 1 to 100.", error.Message, StringComparison.Ordinal);
    }
}
