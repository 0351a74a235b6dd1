using Rekey.Configuration;

namespace Rekey.Tests.Configuration;

public sealed class ChaosSeedSettingTests
{
    private static RekeySettings Read(string? seed, string? environment = null) =>
        SettingsReader.Read(
            seed is null
                ? new Dictionary<string, IReadOnlyList<string?>>()
                : new Dictionary<string, IReadOnlyList<string?>> { ["chaos-seed"] = [seed] },
            name => name == "REKEY_CHAOS_SEED" ? environment : null,
            new HashSet<string>(["target"], StringComparer.OrdinalIgnoreCase));

    [Fact]
    public void Without_a_seed_the_rehearsal_sandbox_is_tidy()
    {
        Assert.Null(Read(null).ChaosSeed);
    }

    [Fact]
    public void The_seed_comes_from_the_argument_or_the_environment()
    {
        Assert.Equal(23, Read("23").ChaosSeed);
        Assert.Equal(47, Read(null, "47").ChaosSeed);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("seven")]
    [InlineData("1.5")]
    [InlineData("\u0663")]
    public void A_seed_that_is_not_a_whole_number_in_ASCII_digits_is_refused_naming_the_argument(string seed)
    {
        var error = Assert.Throws<InvalidArgumentsException>(() => Read(seed));

        Assert.Contains($"--chaos-seed: '{seed}'", error.Message, StringComparison.Ordinal);
    }
}
