using Rekey.Migration;

namespace Rekey.Tests.Migration;

public sealed class KeyUsePolicyTests
{
    private const string Account = "111111111111";
    private const string Role = "arn:aws:iam::111111111111:role/rekey-cutover";

    private static string Policy(params string[] statements) => $$"""{"Version":"2012-10-17","Statement":[{{string.Join(",", statements)}}]}""";

    private const string AccountAdministers = """{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"kms:*","Resource":"*"}""";

    [Fact]
    public void The_default_key_policy_delegating_to_the_account_lets_RDS_use_the_key()
    {
        Assert.Empty(KeyUsePolicy.MissingForRds(Policy(AccountAdministers), Account, Role, "eu-west-1"));
    }

    [Fact]
    public void A_policy_naming_only_another_role_leaves_every_action_missing()
    {
        var policy = Policy("""{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:role/key-admin"},"Action":"kms:*","Resource":"*"}""");

        Assert.Equal(KeyUsePolicy.RdsActions, KeyUsePolicy.MissingForRds(policy, Account, Role, "eu-west-1"));
    }

    [Fact]
    public void A_deny_wins_over_the_accounts_allow()
    {
        var policy = Policy(AccountAdministers, """{"Effect":"Deny","Principal":"*","Action":"kms:CreateGrant","Resource":"*"}""");

        Assert.Equal(["kms:CreateGrant"], KeyUsePolicy.MissingForRds(policy, Account, Role, "eu-west-1"));
    }

    [Fact]
    public void A_statement_for_the_runs_role_through_RDS_of_the_clusters_Region_counts_and_of_another_Region_does_not()
    {
        var policy = Policy("""{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:role/rekey-cutover"},"Action":["kms:CreateGrant","kms:DescribeKey","kms:Decrypt","kms:GenerateDataKey*"],"Resource":"*","Condition":{"StringEquals":{"kms:ViaService":"rds.eu-west-1.amazonaws.com"},"Bool":{"kms:GrantIsForAWSResource":"true"}}}""");

        Assert.Equal(["kms:DescribeKey", "kms:Decrypt", "kms:GenerateDataKey"], KeyUsePolicy.MissingForRds(policy, Account, Role, "eu-west-1"));
        Assert.Equal(KeyUsePolicy.RdsActions, KeyUsePolicy.MissingForRds(policy, Account, Role, "us-east-1"));
    }

    [Fact]
    public void A_condition_on_a_key_the_check_cannot_know_does_not_count_as_met()
    {
        var policy = Policy("""{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"kms:*","Resource":"*","Condition":{"StringEquals":{"aws:SourceVpce":"vpce-1"}}}""");

        Assert.Equal(KeyUsePolicy.RdsActions, KeyUsePolicy.MissingForRds(policy, Account, Role, "eu-west-1"));
    }

    [Fact]
    public void A_deny_with_StringNotEquals_on_a_key_the_check_cannot_know_is_taken_as_applying_and_named_with_its_condition()
    {
        var policy = Policy(AccountAdministers, """{"Sid":"OnlyThroughOurEndpoint","Effect":"Deny","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"StringNotEquals":{"aws:SourceVpce":"vpce-0123"}}}""");

        var check = KeyUsePolicy.CheckForRds(policy, Account, Role, "eu-west-1");

        Assert.Equal(KeyUsePolicy.RdsActions, check.Missing);
        var reason = Assert.Single(check.Reasons);
        Assert.Contains("Deny statement \"OnlyThroughOurEndpoint\"", reason, StringComparison.Ordinal);
        Assert.Contains("StringNotEquals aws:SourceVpce", reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("StringNotEquals")]
    [InlineData("StringNotLike")]
    [InlineData("ArnNotEquals")]
    [InlineData("ArnNotLike")]
    [InlineData("StringNotEqualsIfExists")]
    public void A_deny_with_a_negated_operator_on_a_key_absent_from_RDSs_request_applies_as_in_IAM(string operatorName)
    {
        // kms:GrantIsForAWSResource is only in grant requests: absent from Decrypt, DescribeKey and GenerateDataKey.
        var policy = Policy(AccountAdministers, """{"Sid":"GrantsOnly","Effect":"Deny","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"OPERATOR":{"kms:GrantIsForAWSResource":"true"}}}""".Replace("OPERATOR", operatorName, StringComparison.Ordinal));

        var check = KeyUsePolicy.CheckForRds(policy, Account, Role, "eu-west-1");

        Assert.Equal(["kms:DescribeKey", "kms:Decrypt", "kms:GenerateDataKey"], check.Missing);
        Assert.Contains(check.Reasons, r => r.StartsWith("Deny statement \"GrantsOnly\" denies it", StringComparison.Ordinal));
    }

    [Fact]
    public void A_deny_with_a_negated_operator_on_a_key_RDSs_request_carries_applies_only_when_the_value_differs()
    {
        var policy = Policy(AccountAdministers, """{"Sid":"OnlyRds","Effect":"Deny","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"StringNotEquals":{"kms:ViaService":"rds.eu-west-1.amazonaws.com"}}}""");

        Assert.Empty(KeyUsePolicy.MissingForRds(policy, Account, Role, "eu-west-1"));
        Assert.Equal(KeyUsePolicy.RdsActions, KeyUsePolicy.MissingForRds(policy, Account, Role, "us-east-1"));
    }

    [Fact]
    public void A_deny_with_Null_true_on_a_key_RDSs_request_carries_does_not_apply()
    {
        var policy = Policy(AccountAdministers, """{"Sid":"NeedsViaService","Effect":"Deny","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"Null":{"kms:ViaService":"true"}}}""");

        Assert.Empty(KeyUsePolicy.MissingForRds(policy, Account, Role, "eu-west-1"));
    }

    [Fact]
    public void An_allow_whose_condition_the_check_cannot_know_is_named_as_not_counted()
    {
        var policy = Policy("""{"Sid":"FromTheVpc","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"kms:*","Resource":"*","Condition":{"StringEquals":{"aws:SourceVpce":"vpce-1"}}}""");

        var check = KeyUsePolicy.CheckForRds(policy, Account, Role, "eu-west-1");

        Assert.Equal(KeyUsePolicy.RdsActions, check.Missing);
        Assert.Contains(check.Reasons, r => r.StartsWith("Allow statement \"FromTheVpc\" is not counted", StringComparison.Ordinal) && r.Contains("StringEquals aws:SourceVpce", StringComparison.Ordinal));
    }

    [Fact]
    public void A_deny_with_NotPrincipal_is_taken_as_applying()
    {
        var policy = Policy(AccountAdministers, """{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111111111111:role/key-admin"},"Action":"kms:*","Resource":"*"}""");

        var check = KeyUsePolicy.CheckForRds(policy, Account, Role, "eu-west-1");

        Assert.Equal(KeyUsePolicy.RdsActions, check.Missing);
        Assert.Contains(check.Reasons, r => r.Contains("#2 (no Sid)", StringComparison.Ordinal) && r.Contains("NotPrincipal", StringComparison.Ordinal));
    }
    [Fact]
    public void Actions_kept_from_RDS_only_by_conditions_on_the_request_are_undecided_and_a_definite_deny_is_not()
    {
        var vpcOnly = Policy("""{"Sid":"FromTheVpc","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"kms:*","Resource":"*","Condition":{"StringEquals":{"aws:SourceVpce":"vpce-1"}}}""");
        var denied = Policy(AccountAdministers, """{"Effect":"Deny","Principal":"*","Action":"kms:CreateGrant","Resource":"*"}""");

        var undecided = KeyUsePolicy.CheckForRds(vpcOnly, Account, Role, "eu-west-1");
        var refused = KeyUsePolicy.CheckForRds(denied, Account, Role, "eu-west-1");

        Assert.Equal(KeyUsePolicy.RdsActions, undecided.Undecided);
        Assert.Equal(["kms:CreateGrant"], refused.Missing);
        Assert.Empty(refused.Undecided);
    }

    [Fact]
    public void A_policy_naming_only_another_role_leaves_nothing_undecided()
    {
        var policy = Policy("""{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:role/key-admin"},"Action":"kms:*","Resource":"*"}""");

        Assert.Empty(KeyUsePolicy.CheckForRds(policy, Account, Role, "eu-west-1").Undecided);
    }
}
