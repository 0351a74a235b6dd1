using Rekey.Configuration;

namespace Rekey.Tests.Configuration;

public sealed class FleetSettingTests
{
    private static RekeySettings Read(params (string Name, string Value)[] arguments) =>
        SettingsReader.Read(
            arguments.ToDictionary(a => a.Name, a => (IReadOnlyList<string?>)[a.Value]),
            _ => null,
            new HashSet<string>(["target"], StringComparer.OrdinalIgnoreCase));

    [Fact]
    public void Without_fleet_Benchmark_runs_the_rehearsal_and_max_parallel_defaults_to_25()
    {
        var settings = Read();

        Assert.Null(settings.Fleet);
        Assert.Equal(25, settings.MaxParallel);
        Assert.Null(settings.ClockSpeed);
    }

    [Fact]
    public void Fleet_max_parallel_and_clock_speed_are_read_from_the_arguments()
    {
        var settings = Read(("fleet", "100"), ("max-parallel", "10"), ("clock-speed", "120"));

        Assert.Equal(100, settings.Fleet);
        Assert.Equal(10, settings.MaxParallel);
        Assert.Equal(120, settings.ClockSpeed);
    }

    [Theory]
    [InlineData("fleet", "0", "--fleet: '0' is not a number of cutovers from 1 to 500.")]
    [InlineData("max-parallel", "101", "--max-parallel: '101' is not a number of cutovers at once from 1 to 100.")]
    [InlineData("clock-speed", "0.5", "--clock-speed: '0.5' is not a clock speed from 1 to 100000")]
    [InlineData("retry-mode", "legacy", "--retry-mode: 'legacy' is not a retry mode: give standard or adaptive.")]
    [InlineData("background-rate", "-1", "--background-rate: '-1' is not a rate of calls per second from 0 to 100.")]
    public void Values_out_of_range_are_refused_with_the_range(string name, string value, string message)
    {
        var error = Assert.Throws<InvalidArgumentsException>(() => Read((name, value)));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_SDK_s_retry_mode_is_standard_unless_adaptive_is_asked_for_and_the_other_tools_make_3_calls_a_second()
    {
        Assert.Equal(Amazon.Runtime.RequestRetryMode.Standard, Read().RetryMode);
        Assert.Equal(3, Read().BackgroundRate);

        var settings = Read(("retry-mode", "Adaptive"), ("background-rate", "8.5"));

        Assert.Equal(Amazon.Runtime.RequestRetryMode.Adaptive, settings.RetryMode);
        Assert.Equal(8.5, settings.BackgroundRate);
    }
}
