using System.Text;

namespace Rekey.Sandbox.Tests.SecurityToken;

/// <summary>Trust policies and tokens the STS tests share: STS assumes only roles that exist and trust the caller.</summary>
internal static class StsTestData
{
    public const string GitHubProvider = "token.actions.githubusercontent.com";

    /// <summary>A trust policy that lets any principal of <paramref name="principal"/> (an account id or ARN) call AssumeRole.</summary>
    public static string TrustFor(string principal) =>
        $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"{{principal}}"},"Action":"sts:AssumeRole"}]}""";

    /// <summary>The trust policy GitHub's OIDC set-up writes: the provider of the role's account, one audience, one subject.</summary>
    public static string GitHubTrust(string account, string subject) =>
        $$"""
        {"Version":"2012-10-17","Statement":[{"Effect":"Allow",
          "Principal":{"Federated":"arn:aws:iam::{{account}}:oidc-provider/{{GitHubProvider}}"},
          "Action":"sts:AssumeRoleWithWebIdentity",
          "Condition":{"StringEquals":{"{{GitHubProvider}}:aud":"sts.amazonaws.com","{{GitHubProvider}}:sub":"{{subject}}"} } }]}
        """;

    /// <summary>An unsigned JWT with the claims STS reads (the sandbox does not check signatures).</summary>
    public static string Jwt(string subject, string audience = "sts.amazonaws.com", string issuer = "https://" + GitHubProvider)
    {
        static string Encode(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return $"{Encode("""{"alg":"RS256","typ":"JWT"}""")}.{Encode($$"""{"sub":"{{subject}}","aud":"{{audience}}","iss":"{{issuer}}"}""")}.c2lnbmF0dXJl";
    }

    /// <summary>Creates a role through IAM in <paramref name="account"/> and returns its ARN.</summary>
    public static async Task<string> CreateRoleAsync(AwsCli cli, string account, string roleName, string trustPolicy)
    {
        var created = await cli.As(account).JsonAsync("iam", "create-role", "--role-name", roleName, "--assume-role-policy-document", trustPolicy);
        return created["Role"]!["Arn"]!.GetValue<string>();
    }
}
