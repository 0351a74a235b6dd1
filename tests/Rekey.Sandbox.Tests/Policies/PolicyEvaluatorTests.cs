using Rekey.Sandbox.Core.Policies;

namespace Rekey.Sandbox.Tests.Policies;

public sealed class PolicyEvaluatorTests
{
    private static PolicyRequest Request(string account, string action, string? roleArn = null, string? orgId = null, string? viaService = null) => new()
    {
        PrincipalAccount = account,
        Action = action,
        RoleArn = roleArn,
        PrincipalOrgId = orgId,
        ViaService = viaService,
    };

    private static string Policy(string statements) => $$"""{"Version":"2012-10-17","Statement":[{{statements}}]}""";

    [Theory]
    [InlineData("kms:ReEncryptFrom", true)]
    [InlineData("kms:reencryptto", true)]
    [InlineData("kms:GenerateDataKeyWithoutPlaintext", true)]
    [InlineData("kms:Decrypt", false)]
    public void Action_wildcards_match_the_way_IAM_matches_them(string action, bool allowed)
    {
        var policy = Policy("""{"Effect":"Allow","Principal":{"AWS":"222222222222"},"Action":["kms:ReEncrypt*","kms:GenerateDataKey*"],"Resource":"*"}""");

        Assert.Equal(allowed, PolicyEvaluator.IsAllowed(policy, Request("222222222222", action)));
    }

    [Fact]
    public void An_explicit_Deny_wins_over_an_Allow()
    {
        var policy = Policy("""
            {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":"kms:*","Resource":"*"},
            {"Effect":"Deny","Principal":"*","Action":"kms:Decrypt","Resource":"*"}
            """);

        Assert.True(PolicyEvaluator.IsAllowed(policy, Request("222222222222", "kms:DescribeKey")));
        Assert.False(PolicyEvaluator.IsAllowed(policy, Request("222222222222", "kms:Decrypt")));
    }

    [Fact]
    public void An_Allow_whose_condition_the_sandbox_does_not_model_does_not_apply_and_such_a_Deny_does()
    {
        var allow = Policy("""{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}""");
        var deny = Policy("""
            {"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*"},
            {"Effect":"Deny","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"aws:SourceVpc":"vpc-1"}}}
            """);

        Assert.False(PolicyEvaluator.IsAllowed(allow, Request("222222222222", "kms:Decrypt")));
        Assert.False(PolicyEvaluator.IsAllowed(deny, Request("222222222222", "kms:Decrypt")));
    }

    [Fact]
    public void ViaService_and_CallerAccount_conditions_hold_only_for_that_service_and_account()
    {
        var policy = Policy("""{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:CreateGrant","Resource":"*","Condition":{"StringEquals":{"kms:ViaService":"rds.us-east-1.amazonaws.com","kms:CallerAccount":"111111111111"}}}""");

        Assert.True(PolicyEvaluator.IsAllowed(policy, Request("111111111111", "kms:CreateGrant", viaService: "rds.us-east-1.amazonaws.com")));
        Assert.False(PolicyEvaluator.IsAllowed(policy, Request("111111111111", "kms:CreateGrant")));
        Assert.False(PolicyEvaluator.IsAllowed(policy, Request("222222222222", "kms:CreateGrant", viaService: "rds.us-east-1.amazonaws.com")));
    }

    [Fact]
    public void Service_principals_and_NotPrincipal_statements_never_admit_an_account()
    {
        var policy = Policy("""
            {"Effect":"Allow","Principal":{"Service":"backup.amazonaws.com"},"Action":"kms:*","Resource":"*"},
            {"Effect":"Allow","NotPrincipal":{"AWS":"333333333333"},"Action":"kms:*","Resource":"*"}
            """);

        Assert.False(PolicyEvaluator.IsAllowed(policy, Request("222222222222", "kms:Decrypt")));
    }

    [Fact]
    public void A_document_that_is_not_a_policy_is_reported_and_allows_nothing()
    {
        Assert.Null(PolicyEvaluator.Parse("""{"Statement":[{"Effect":"Maybe","Principal":"*","Action":"kms:*"}]}""", out var error));
        Assert.Contains("Effect", error, StringComparison.Ordinal);
        Assert.False(PolicyEvaluator.IsAllowed("not json", Request("111111111111", "kms:Decrypt")));
    }

    private static PolicyRequest WebIdentity(string provider, string subject, params string[] audiences) => new()
    {
        Action = "sts:AssumeRoleWithWebIdentity",
        FederatedProvider = $"arn:aws:iam::111111111111:oidc-provider/{provider}",
        Context = new Dictionary<string, IReadOnlyList<string>>
        {
            [provider + ":sub"] = [subject],
            [provider + ":aud"] = audiences,
        },
    };

    [Fact]
    public void A_Federated_principal_admits_a_web_identity_of_that_provider_only_and_never_an_account()
    {
        var policy = Policy("""{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity"}""");
        var accountTrust = Policy("""{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"sts:*"}""");

        Assert.True(PolicyEvaluator.IsAllowed(policy, WebIdentity("token.actions.githubusercontent.com", "repo:a/b:environment:prod", "sts.amazonaws.com")));
        Assert.False(PolicyEvaluator.IsAllowed(policy, WebIdentity("issuer.example.com", "repo:a/b:environment:prod", "sts.amazonaws.com")));
        Assert.False(PolicyEvaluator.IsAllowed(policy, Request("111111111111", "sts:AssumeRoleWithWebIdentity")));
        Assert.False(PolicyEvaluator.IsAllowed(accountTrust, WebIdentity("token.actions.githubusercontent.com", "repo:a/b:environment:prod", "sts.amazonaws.com")));
    }

    [Fact]
    public void A_Service_principal_admits_that_service_and_not_an_account_of_the_same_action()
    {
        var policy = Policy("""{"Effect":"Allow","Principal":{"Service":["backup.amazonaws.com"]},"Action":"sts:AssumeRole"}""");

        Assert.True(PolicyEvaluator.IsAllowed(policy, new PolicyRequest { Action = "sts:AssumeRole", ServicePrincipal = "backup.amazonaws.com" }));
        Assert.False(PolicyEvaluator.IsAllowed(policy, new PolicyRequest { Action = "sts:AssumeRole", ServicePrincipal = "rds.amazonaws.com" }));
        Assert.False(PolicyEvaluator.IsAllowed(policy, Request("111111111111", "sts:AssumeRole")));
    }

    [Fact]
    public void ForAnyValue_needs_one_matching_value_ForAllValues_needs_every_value_and_a_plain_operator_refuses_several()
    {
        static string Trust(string condition) => Policy(
            $$"""{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111111111111:oidc-provider/issuer.example.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{{condition}}}""");
        var twoAudiences = WebIdentity("issuer.example.com", "s", "sts.amazonaws.com", "other");

        Assert.True(PolicyEvaluator.IsAllowed(Trust("""{"ForAnyValue:StringEquals":{"issuer.example.com:aud":"sts.amazonaws.com"}}"""), twoAudiences));
        Assert.False(PolicyEvaluator.IsAllowed(Trust("""{"ForAllValues:StringEquals":{"issuer.example.com:aud":"sts.amazonaws.com"}}"""), twoAudiences));
        Assert.True(PolicyEvaluator.IsAllowed(Trust("""{"ForAllValues:StringLike":{"issuer.example.com:aud":["sts.*","oth?r"]}}"""), twoAudiences));
        Assert.False(PolicyEvaluator.IsAllowed(Trust("""{"StringEquals":{"issuer.example.com:aud":"sts.amazonaws.com"}}"""), twoAudiences));
    }

    [Fact]
    public void A_condition_on_a_token_claim_refuses_a_caller_without_a_token_and_a_Deny_on_it_applies()
    {
        var allow = Policy("""{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"token.actions.githubusercontent.com:sub":"repo:a/b:environment:prod"}}}""");
        var deny = Policy("""
            {"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity"},
            {"Effect":"Deny","Principal":"*","Action":"sts:*","Condition":{"StringLike":{"token.actions.githubusercontent.com:sub":"repo:a/b:ref:*"}}}
            """);

        Assert.False(PolicyEvaluator.IsAllowed(allow, Request("111111111111", "sts:AssumeRole")));
        Assert.True(PolicyEvaluator.IsAllowed(deny, WebIdentity("token.actions.githubusercontent.com", "repo:a/b:environment:prod", "sts.amazonaws.com")));
        Assert.False(PolicyEvaluator.IsAllowed(deny, WebIdentity("token.actions.githubusercontent.com", "repo:a/b:ref:refs/heads/main", "sts.amazonaws.com")));
    }
}
