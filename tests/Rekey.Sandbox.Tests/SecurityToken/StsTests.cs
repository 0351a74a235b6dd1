using static Rekey.Sandbox.Tests.SecurityToken.StsTestData;

namespace Rekey.Sandbox.Tests.SecurityToken;

public sealed class StsTests(SandboxFixture fixture) : IClassFixture<SandboxFixture>
{
    private AwsCli Cli => fixture.Cli;

    [Fact]
    public async Task GetCallerIdentity_reports_the_account_a_12_digit_access_key_id_names()
    {
        var identity = await Cli.As("222222222222").JsonAsync("sts", "get-caller-identity");

        Assert.Equal("222222222222", identity["Account"].Text());
        Assert.Equal("arn:aws:iam::222222222222:root", identity["Arn"].Text());
    }

    [Fact]
    public async Task Other_access_key_ids_act_in_the_default_account()
    {
        var identity = await Cli.As("AKIAIOSFODNN7EXAMPLE").JsonAsync("sts", "get-caller-identity");

        Assert.Equal("111111111111", identity["Account"].Text());
    }

    [Fact]
    public async Task AssumeRole_returns_credentials_whose_calls_land_in_the_role_account()
    {
        await CreateRoleAsync(Cli, "222222222222", "rekey-backup", TrustFor("111111111111"));

        var assumed = await Cli.JsonAsync("sts", "assume-role", "--role-arn", "arn:aws:iam::222222222222:role/rekey-backup", "--role-session-name", "rehearsal");
        var credentials = assumed["Credentials"]!;
        var asRole = Cli.As(credentials["AccessKeyId"].Text(), credentials["SessionToken"].Text());

        var identity = await asRole.JsonAsync("sts", "get-caller-identity");
        await asRole.CreateClusterAsync("assumed-role-cluster");
        var seenByOwner = await Cli.As("222222222222").JsonAsync("rds", "describe-db-clusters");
        var seenByCaller = await Cli.JsonAsync("rds", "describe-db-clusters");

        Assert.Equal("arn:aws:sts::222222222222:assumed-role/rekey-backup/rehearsal", assumed["AssumedRoleUser"]!["Arn"].Text());
        Assert.Equal("222222222222", identity["Account"].Text());
        Assert.Equal("arn:aws:sts::222222222222:assumed-role/rekey-backup/rehearsal", identity["Arn"].Text());
        Assert.Contains(seenByOwner["DBClusters"]!.AsArray(), c => c!["DBClusterIdentifier"].Text() == "assumed-role-cluster");
        Assert.DoesNotContain(seenByCaller["DBClusters"]!.AsArray(), c => c!["DBClusterIdentifier"].Text() == "assumed-role-cluster");
        Assert.True(DateTimeOffset.Parse(credentials["Expiration"].Text(), System.Globalization.CultureInfo.InvariantCulture) > fixture.Sandbox.Clock.Now.AddMinutes(55));
    }

    [Fact]
    public async Task AssumeRoleWithWebIdentity_is_served_unsigned_and_returns_the_token_claims()
    {
        await CreateRoleAsync(Cli, "111111111111", "rekey-deploy", GitHubTrust("111111111111", "repo:example/rekey:environment:production"));
        var token = Jwt("repo:example/rekey:environment:production");

        var assumed = await Cli.JsonAsync(
            "sts", "assume-role-with-web-identity", "--role-arn", "arn:aws:iam::111111111111:role/rekey-deploy",
            "--role-session-name", "github-actions", "--web-identity-token", token);
        var identity = await Cli.As(assumed["Credentials"]!["AccessKeyId"].Text(), assumed["Credentials"]!["SessionToken"].Text())
            .JsonAsync("sts", "get-caller-identity");

        Assert.Equal("repo:example/rekey:environment:production", assumed["SubjectFromWebIdentityToken"].Text());
        Assert.Equal("sts.amazonaws.com", assumed["Audience"].Text());
        Assert.Equal("token.actions.githubusercontent.com", assumed["Provider"].Text());
        Assert.Equal("arn:aws:sts::111111111111:assumed-role/rekey-deploy/github-actions", identity["Arn"].Text());
    }

    [Fact]
    public async Task AssumeRoleWithWebIdentity_rejects_a_token_that_is_not_a_JWT()
    {
        var failure = await Cli.FailureAsync(
            "sts", "assume-role-with-web-identity", "--role-arn", "arn:aws:iam::111111111111:role/rekey-deploy",
            "--role-session-name", "github-actions", "--web-identity-token", "not-a-token-at-all");

        Assert.Equal("InvalidIdentityToken", failure.ErrorCode);
    }

    [Fact]
    public async Task AssumeRole_rejects_a_malformed_role_arn_with_ValidationError()
    {
        var failure = await Cli.FailureAsync("sts", "assume-role", "--role-arn", "arn:aws:iam::12345:role/too-short", "--role-session-name", "s1");

        Assert.Equal("ValidationError", failure.ErrorCode);
    }

    [Fact]
    public async Task Expired_session_credentials_are_refused_by_GetCallerIdentity()
    {
        await CreateRoleAsync(Cli, "111111111111", "short", TrustFor("111111111111"));
        var assumed = await Cli.JsonAsync("sts", "assume-role", "--role-arn", "arn:aws:iam::111111111111:role/short", "--role-session-name", "short", "--duration-seconds", "900");
        fixture.Advance(TimeSpan.FromMinutes(16));

        var failure = await Cli.As(assumed["Credentials"]!["AccessKeyId"].Text(), assumed["Credentials"]!["SessionToken"].Text())
            .FailureAsync("sts", "get-caller-identity");

        Assert.Equal("ExpiredToken", failure.ErrorCode);
    }

    [Fact]
    public async Task AssumeRole_of_a_role_that_does_not_exist_is_refused_with_AccessDenied_naming_caller_and_role()
    {
        var failure = await Cli.FailureAsync("sts", "assume-role", "--role-arn", "arn:aws:iam::222222222222:role/rekey-nowhere", "--role-session-name", "s1");

        Assert.Equal("AccessDenied", failure.ErrorCode);
        Assert.Contains(
            "User: arn:aws:iam::111111111111:root is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::222222222222:role/rekey-nowhere",
            failure.Stderr,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task AssumeRole_is_refused_when_the_trust_policy_does_not_name_the_caller_and_allowed_for_the_account_it_names()
    {
        var roleArn = await CreateRoleAsync(Cli, "222222222222", "rekey-untrusting", TrustFor("arn:aws:iam::333333333333:root"));

        var refused = await Cli.FailureAsync("sts", "assume-role", "--role-arn", roleArn, "--role-session-name", "s1");
        var allowed = await Cli.As("333333333333").JsonAsync("sts", "assume-role", "--role-arn", roleArn, "--role-session-name", "s1");

        Assert.Equal("AccessDenied", refused.ErrorCode);
        Assert.Contains($"User: arn:aws:iam::111111111111:root is not authorized to perform: sts:AssumeRole on resource: {roleArn}", refused.Stderr, StringComparison.Ordinal);
        Assert.Equal("arn:aws:sts::222222222222:assumed-role/rekey-untrusting/s1", allowed["AssumedRoleUser"]!["Arn"].Text());
    }

    [Fact]
    public async Task A_trust_policy_naming_a_role_admits_that_role_sessions_for_chaining_and_not_the_rest_of_its_account()
    {
        var firstArn = await CreateRoleAsync(Cli, "111111111111", "rekey-chain-first", TrustFor("111111111111"));
        var secondArn = await CreateRoleAsync(Cli, "222222222222", "rekey-chain-second", TrustFor(firstArn));
        var first = (await Cli.JsonAsync("sts", "assume-role", "--role-arn", firstArn, "--role-session-name", "first"))["Credentials"]!;

        var chained = await Cli.As(first["AccessKeyId"].Text(), first["SessionToken"].Text())
            .JsonAsync("sts", "assume-role", "--role-arn", secondArn, "--role-session-name", "second");
        var asRoot = await Cli.FailureAsync("sts", "assume-role", "--role-arn", secondArn, "--role-session-name", "second");

        Assert.Equal("arn:aws:sts::222222222222:assumed-role/rekey-chain-second/second", chained["AssumedRoleUser"]!["Arn"].Text());
        Assert.Equal("AccessDenied", asRoot.ErrorCode);
    }

    [Fact]
    public async Task AssumeRole_with_session_tags_needs_sts_TagSession_in_the_trust_policy()
    {
        var untagged = await CreateRoleAsync(Cli, "111111111111", "rekey-no-tags", TrustFor("111111111111"));
        var tagging = await CreateRoleAsync(
            Cli,
            "111111111111",
            "rekey-tags",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":["sts:AssumeRole","sts:TagSession"]}]}""");

        var refused = await Cli.FailureAsync("sts", "assume-role", "--role-arn", untagged, "--role-session-name", "s1", "--tags", "Key=team,Value=db");
        var allowed = await Cli.JsonAsync("sts", "assume-role", "--role-arn", tagging, "--role-session-name", "s1", "--tags", "Key=team,Value=db");

        Assert.Equal("AccessDenied", refused.ErrorCode);
        Assert.Equal("arn:aws:sts::111111111111:assumed-role/rekey-tags/s1", allowed["AssumedRoleUser"]!["Arn"].Text());
    }

    [Fact]
    public async Task AssumeRoleWithWebIdentity_is_refused_for_a_token_whose_sub_the_trust_policy_does_not_name()
    {
        var roleArn = await CreateRoleAsync(Cli, "111111111111", "rekey-prod", GitHubTrust("111111111111", "repo:acme/db-tools:environment:prod"));

        var otherEnvironment = await Cli.FailureAsync(
            "sts", "assume-role-with-web-identity", "--role-arn", roleArn, "--role-session-name", "gh", "--web-identity-token", Jwt("repo:acme/db-tools:environment:prod-plan"));
        var otherAudience = await Cli.FailureAsync(
            "sts", "assume-role-with-web-identity", "--role-arn", roleArn, "--role-session-name", "gh", "--web-identity-token", Jwt("repo:acme/db-tools:environment:prod", audience: "other"));
        var otherProvider = await Cli.FailureAsync(
            "sts", "assume-role-with-web-identity", "--role-arn", roleArn, "--role-session-name", "gh", "--web-identity-token", Jwt("repo:acme/db-tools:environment:prod", issuer: "https://issuer.example.com"));
        var unknownRole = await Cli.FailureAsync(
            "sts", "assume-role-with-web-identity", "--role-arn", "arn:aws:iam::111111111111:role/rekey-absent", "--role-session-name", "gh", "--web-identity-token", Jwt("repo:acme/db-tools:environment:prod"));
        var allowed = await Cli.JsonAsync(
            "sts", "assume-role-with-web-identity", "--role-arn", roleArn, "--role-session-name", "gh", "--web-identity-token", Jwt("repo:acme/db-tools:environment:prod"));

        foreach (var refused in new[] { otherEnvironment, otherAudience, otherProvider, unknownRole })
        {
            Assert.Equal("AccessDenied", refused.ErrorCode);
            Assert.Contains("Not authorized to perform sts:AssumeRoleWithWebIdentity", refused.Stderr, StringComparison.Ordinal);
        }

        Assert.Equal("repo:acme/db-tools:environment:prod", allowed["SubjectFromWebIdentityToken"].Text());
    }

    [Fact]
    public async Task A_web_identity_trust_with_StringLike_on_sub_admits_the_subjects_it_matches()
    {
        var roleArn = await CreateRoleAsync(
            Cli,
            "111111111111",
            "rekey-any-environment",
            $$"""
            {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111111111111:oidc-provider/{{GitHubProvider}}"},
              "Action":"sts:AssumeRoleWithWebIdentity",
              "Condition":{"ForAnyValue:StringEquals":{"{{GitHubProvider}}:aud":["sts.amazonaws.com"]},"StringLike":{"{{GitHubProvider}}:sub":"repo:acme/db-tools:environment:*"} } }]}
            """);

        var allowed = await Cli.JsonAsync(
            "sts", "assume-role-with-web-identity", "--role-arn", roleArn, "--role-session-name", "gh", "--web-identity-token", Jwt("repo:acme/db-tools:environment:staging"));
        var refused = await Cli.FailureAsync(
            "sts", "assume-role-with-web-identity", "--role-arn", roleArn, "--role-session-name", "gh", "--web-identity-token", Jwt("repo:acme/db-tools:ref:refs/heads/main"));

        Assert.Equal("repo:acme/db-tools:environment:staging", allowed["SubjectFromWebIdentityToken"].Text());
        Assert.Equal("AccessDenied", refused.ErrorCode);
    }
}
