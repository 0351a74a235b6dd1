using Rekey.Reporting;

namespace Rekey.Tests.Reporting;

public sealed class DurationsTests
{
    [Theory]
    [InlineData(252, "4 minutes, 12 seconds")]
    [InlineData(60, "1 minute")]
    [InlineData(300, "5 minutes")]
    [InlineData(1, "1 second")]
    [InlineData(0.4, "400 milliseconds")]
    [InlineData(0, "0 milliseconds")]
    [InlineData(2 * 3600 + 5 * 60 + 9, "2 hours, 5 minutes")]
    [InlineData(3 * 86400 + 3600, "3 days, 1 hour")]
    public void A_duration_is_written_as_its_two_largest_units_in_words(double seconds, string expected) =>
        Assert.Equal(expected, Durations.Text(seconds));
}
