using Xunit.Sdk;

namespace Rekey.Aws.Tests.Contract;

/// <summary>The model-driven checks are strict: a request that strays from the model fails them.</summary>
public sealed class ContractCheckerTests
{
    private static readonly DateTime Time = new(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);

    [Fact]
    public void Renamed_member_fails_the_parameter_check_naming_both_names()
    {
        var expected = new Dictionary<string, object> { ["Tags.Tag.1.Key"] = "k", ["Action"] = "AddTagsToResource" };
        var actual = new Dictionary<string, List<string>> { ["Tags.Tag.1.Name"] = ["k"], ["Action"] = ["AddTagsToResource"] };

        var failure = Assert.Throws<TrueException>(() => ModelContractTests.AssertParameters(expected, actual));

        Assert.Contains("missing: Tags.Tag.1.Key", failure.Message, StringComparison.Ordinal);
        Assert.Contains("not in the model: Tags.Tag.1.Name", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Member_numbering_that_differs_from_the_model_fails_the_parameter_check()
    {
        var expected = new Dictionary<string, object> { ["VpcSecurityGroupIds.VpcSecurityGroupId.1"] = "sg-1" };
        var actual = new Dictionary<string, List<string>> { ["VpcSecurityGroupIds.member.1"] = ["sg-1"] };

        Assert.Throws<TrueException>(() => ModelContractTests.AssertParameters(expected, actual));
    }

    [Theory]
    [InlineData("2026-01-02T03:04:05Z", true)]
    [InlineData("2026-01-02T03:04:05.000Z", true)]
    [InlineData("2026-01-02T03:04:05", false)]
    [InlineData("1767323045", false)]
    [InlineData("2026-01-02T04:04:05+01:00", false)]
    public void Timestamps_must_be_iso8601_in_utc(string wire, bool accepted)
    {
        var check = () => ModelContractTests.AssertScalar(Time, wire, "RestoreToTime");
        if (accepted)
        {
            check();
        }
        else
        {
            Assert.ThrowsAny<XunitException>(check);
        }
    }

    [Fact]
    public void Boolean_must_be_lower_case()
    {
        Assert.ThrowsAny<XunitException>(() => ModelContractTests.AssertScalar(true, "True", "ApplyImmediately"));
        ModelContractTests.AssertScalar(true, "true", "ApplyImmediately");
    }
}
