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
}
