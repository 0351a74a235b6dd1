using System.Text.Json.Nodes;
using Rekey.Migration;

namespace Rekey.Tests.Migration;

/// <summary>IAM's documented outcome of each condition operator when the request has the key and when it does not.</summary>
public sealed class PolicyConditionsTests
{
    [Theory]
    [InlineData("StringEquals", ConditionOutcome.NotMet)]
    [InlineData("StringEqualsIgnoreCase", ConditionOutcome.NotMet)]
    [InlineData("StringLike", ConditionOutcome.NotMet)]
    [InlineData("ArnEquals", ConditionOutcome.NotMet)]
    [InlineData("ArnLike", ConditionOutcome.NotMet)]
    [InlineData("Bool", ConditionOutcome.NotMet)]
    [InlineData("NumericEquals", ConditionOutcome.NotMet)]
    [InlineData("DateLessThan", ConditionOutcome.NotMet)]
    [InlineData("IpAddress", ConditionOutcome.NotMet)]
    [InlineData("StringNotEquals", ConditionOutcome.Met)]
    [InlineData("StringNotEqualsIgnoreCase", ConditionOutcome.Met)]
    [InlineData("StringNotLike", ConditionOutcome.Met)]
    [InlineData("ArnNotEquals", ConditionOutcome.Met)]
    [InlineData("ArnNotLike", ConditionOutcome.Met)]
    [InlineData("NumericNotEquals", ConditionOutcome.Met)]
    [InlineData("DateNotEquals", ConditionOutcome.Met)]
    [InlineData("NotIpAddress", ConditionOutcome.Met)]
    [InlineData("StringEqualsIfExists", ConditionOutcome.Met)]
    [InlineData("StringNotEqualsIfExists", ConditionOutcome.Met)]
    [InlineData("ArnLikeIfExists", ConditionOutcome.Met)]
    [InlineData("BoolIfExists", ConditionOutcome.Met)]
    [InlineData("ForAllValues:StringEquals", ConditionOutcome.Met)]
    [InlineData("ForAnyValue:StringEquals", ConditionOutcome.NotMet)]
    [InlineData("ForAnyValue:StringNotEquals", ConditionOutcome.NotMet)]
    public void With_the_key_absent_a_positive_operator_does_not_hold_and_a_negated_or_IfExists_one_does(string operatorName, ConditionOutcome expected)
    {
        Assert.Equal(expected, PolicyConditions.Evaluate(operatorName, actual: null, ["value"]));
    }

    [Theory]
    [InlineData("StringEquals", "rds.eu-west-1.amazonaws.com", "rds.eu-west-1.amazonaws.com", ConditionOutcome.Met)]
    [InlineData("StringEquals", "RDS.eu-west-1.amazonaws.com", "rds.eu-west-1.amazonaws.com", ConditionOutcome.NotMet)]
    [InlineData("StringNotEquals", "rds.eu-west-1.amazonaws.com", "rds.eu-west-1.amazonaws.com", ConditionOutcome.NotMet)]
    [InlineData("StringNotEquals", "s3.eu-west-1.amazonaws.com", "rds.eu-west-1.amazonaws.com", ConditionOutcome.Met)]
    [InlineData("StringEqualsIgnoreCase", "RDS.eu-west-1.amazonaws.com", "rds.eu-west-1.amazonaws.com", ConditionOutcome.Met)]
    [InlineData("StringNotEqualsIgnoreCase", "RDS.eu-west-1.amazonaws.com", "rds.eu-west-1.amazonaws.com", ConditionOutcome.NotMet)]
    [InlineData("StringLike", "rds.*.amazonaws.com", "rds.eu-west-1.amazonaws.com", ConditionOutcome.Met)]
    [InlineData("StringNotLike", "rds.*.amazonaws.com", "rds.eu-west-1.amazonaws.com", ConditionOutcome.NotMet)]
    [InlineData("StringNotLike", "s3.*", "rds.eu-west-1.amazonaws.com", ConditionOutcome.Met)]
    [InlineData("ArnEquals", "arn:aws:iam::111111111111:role/*", "arn:aws:iam::111111111111:role/rekey", ConditionOutcome.Met)]
    [InlineData("ArnLike", "arn:aws:iam::222222222222:role/*", "arn:aws:iam::111111111111:role/rekey", ConditionOutcome.NotMet)]
    [InlineData("ArnNotEquals", "arn:aws:iam::111111111111:role/rekey", "arn:aws:iam::111111111111:role/rekey", ConditionOutcome.NotMet)]
    [InlineData("ArnNotLike", "arn:aws:iam::222222222222:*", "arn:aws:iam::111111111111:role/rekey", ConditionOutcome.Met)]
    [InlineData("Bool", "true", "true", ConditionOutcome.Met)]
    [InlineData("Bool", "false", "true", ConditionOutcome.NotMet)]
    [InlineData("BoolIfExists", "false", "true", ConditionOutcome.NotMet)]
    [InlineData("StringNotEqualsIfExists", "vpce-1", "vpce-1", ConditionOutcome.NotMet)]
    [InlineData("StringNotEqualsIfExists", "vpce-1", "vpce-2", ConditionOutcome.Met)]
    [InlineData("NumericLessThan", "10", "5", ConditionOutcome.Met)]
    [InlineData("NumericNotEquals", "5", "5", ConditionOutcome.NotMet)]
    [InlineData("DateGreaterThan", "2020-01-01T00:00:00Z", "2026-12-07T00:00:00Z", ConditionOutcome.Met)]
    [InlineData("ForAnyValue:StringEquals", "a", "a", ConditionOutcome.Met)]
    [InlineData("ForAllValues:StringEquals", "a", "b", ConditionOutcome.NotMet)]
    public void With_the_key_present_each_operator_compares_its_value(string operatorName, string policyValue, string actual, ConditionOutcome expected)
    {
        Assert.Equal(expected, PolicyConditions.Evaluate(operatorName, actual, [policyValue]));
    }

    [Theory]
    [InlineData("true", null, ConditionOutcome.Met)]
    [InlineData("true", "x", ConditionOutcome.NotMet)]
    [InlineData("false", null, ConditionOutcome.NotMet)]
    [InlineData("false", "x", ConditionOutcome.Met)]
    public void Null_tests_only_whether_the_key_is_present(string policyValue, string? actual, ConditionOutcome expected)
    {
        Assert.Equal(expected, PolicyConditions.Evaluate("Null", actual, [policyValue]));
    }

    [Fact]
    public void A_negated_operator_with_several_values_holds_only_when_the_key_equals_none_of_them()
    {
        Assert.Equal(ConditionOutcome.NotMet, PolicyConditions.Evaluate("StringNotEquals", "b", ["a", "b"]));
        Assert.Equal(ConditionOutcome.Met, PolicyConditions.Evaluate("StringNotEquals", "c", ["a", "b"]));
    }

    [Theory]
    [InlineData("StringEqualsWhatever")]
    [InlineData("SomeQualifier:StringEquals")]
    [InlineData("IpAddress")]
    public void An_operator_the_check_does_not_evaluate_on_a_present_key_is_unknown(string operatorName)
    {
        Assert.Equal(ConditionOutcome.Unknown, PolicyConditions.Evaluate(operatorName, "10.0.0.1", ["10.0.0.0/8"]));
    }

    [Fact]
    public void A_key_the_context_does_not_know_makes_the_condition_unknown_unless_another_key_surely_fails()
    {
        var context = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase) { ["kms:ViaService"] = "rds.eu-west-1.amazonaws.com" };
        var unknown = JsonNode.Parse("""{"StringNotEquals":{"aws:SourceVpce":"vpce-1"}}""")!.AsObject();
        var decided = JsonNode.Parse("""{"StringNotEquals":{"aws:SourceVpce":"vpce-1"},"StringEquals":{"kms:ViaService":"s3.eu-west-1.amazonaws.com"}}""")!.AsObject();

        Assert.Equal(ConditionOutcome.Unknown, PolicyConditions.EvaluateAll(unknown, context, out var undecided));
        Assert.Equal("StringNotEquals aws:SourceVpce", undecided);
        Assert.Equal(ConditionOutcome.NotMet, PolicyConditions.EvaluateAll(decided, context, out _));
    }
}
