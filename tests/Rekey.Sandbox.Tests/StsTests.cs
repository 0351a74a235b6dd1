using System.Text;

namespace Rekey.Sandbox.Tests;

public sealed class StsTests(SandboxFixture fixture) : IClassFixture<SandboxFixture>
{
    private AwsCli Cli => fixture.Cli;

    private static string Jwt(string subject, string audience, string issuer)
    {
        static string Encode(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return $"{Encode("""{"alg":"RS256","typ":"JWT"}""")}.{Encode($$"""{"sub":"{{subject}}","aud":"{{audience}}","iss":"{{issuer}}"}""")}.c2lnbmF0dXJl";
    }

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
        var token = Jwt("repo:example/rekey:environment:production", "sts.amazonaws.com", "https://token.actions.githubusercontent.com");

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
        var assumed = await Cli.JsonAsync("sts", "assume-role", "--role-arn", "arn:aws:iam::111111111111:role/short", "--role-session-name", "short", "--duration-seconds", "900");
        fixture.Advance(TimeSpan.FromMinutes(16));

        var failure = await Cli.As(assumed["Credentials"]!["AccessKeyId"].Text(), assumed["Credentials"]!["SessionToken"].Text())
            .FailureAsync("sts", "get-caller-identity");

        Assert.Equal("ExpiredToken", failure.ErrorCode);
    }
}
