using System.Globalization;
using System.Text.RegularExpressions;

namespace Rekey.Sandbox.Core;

/// <summary>Who is calling, taken from the SigV4 credential scope (the sandbox does not verify signatures).</summary>
public sealed record CallerScope(string AccessKeyId, string Account, string Region, string? SigningName);

/// <summary>
/// Maps access key ids to accounts. A key id that is exactly 12 digits is that account; keys that
/// STS issues for a role are <c>ASIA</c> + the role's 12-digit account + 4 characters, so calls
/// made with them land in that account; anything else is the default account.
/// </summary>
public static partial class AccountResolver
{
    public const string DefaultAccount = "111111111111";

    public static string AccountOf(string? accessKeyId)
    {
        if (string.IsNullOrEmpty(accessKeyId))
        {
            return DefaultAccount;
        }

        if (IsAccountId(accessKeyId))
        {
            return accessKeyId;
        }

        var issued = IssuedKeyPattern().Match(accessKeyId);
        return issued.Success ? issued.Groups["account"].Value : DefaultAccount;
    }

    public static bool IsAccountId(string? value) => value is not null && AccountIdPattern().IsMatch(value);

    /// <summary>A fresh access key id whose calls land in <paramref name="account"/>.</summary>
    public static string IssueAccessKeyId(string account) =>
        string.Create(CultureInfo.InvariantCulture, $"ASIA{account}{RandomText.UpperAlphanumeric(4)}");

    /// <summary>Reads the scope from an Authorization header or a presigned URL's X-Amz-Credential.</summary>
    public static CallerScope Resolve(string? authorization, string? presignedCredential, string defaultRegion)
    {
        var credential = presignedCredential;
        if (authorization is not null)
        {
            var match = CredentialPattern().Match(authorization);
            if (match.Success)
            {
                credential = match.Groups["credential"].Value;
            }
        }

        // Credential = <key id>/<yyyymmdd>/<region>/<service>/aws4_request
        var parts = credential?.Split('/') ?? [];
        if (parts.Length >= 4)
        {
            return new CallerScope(parts[0], AccountOf(parts[0]), parts[2], parts[3]);
        }

        return new CallerScope(string.Empty, DefaultAccount, defaultRegion, null);
    }

    [GeneratedRegex("^[0-9]{12}$")]
    private static partial Regex AccountIdPattern();

    [GeneratedRegex("^ASIA(?<account>[0-9]{12})[A-Z0-9]{4}$")]
    private static partial Regex IssuedKeyPattern();

    [GeneratedRegex("Credential=(?<credential>[^,\\s]+)")]
    private static partial Regex CredentialPattern();
}

/// <summary>Identifiers in AWS's alphabets.</summary>
public static class RandomText
{
    private const string Upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private const string Lower = "abcdefghijklmnopqrstuvwxyz0123456789";

    public static string UpperAlphanumeric(int length) => System.Security.Cryptography.RandomNumberGenerator.GetString(Upper, length);

    public static string LowerAlphanumeric(int length) => System.Security.Cryptography.RandomNumberGenerator.GetString(Lower, length);

    public static string RequestId() => Guid.NewGuid().ToString("D");
}
