using System.Text.RegularExpressions;

namespace Rekey.Configuration;

/// <summary>--database-secret-arn: the Secrets Manager secret the RDS Data API signs in with.</summary>
public static partial class SettingsReader
{
    private static (string? Value, string? Problem) ParseSecretArn(string text) =>
        Matching(text, SecretArnPattern(), $"'{text}' is not a Secrets Manager secret ARN (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME).");

    [GeneratedRegex(@"^arn:aws(-[a-z]+)*:secretsmanager:[a-z]{2}(-[a-z]+)+-[0-9]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@!-]{1,512}$")]
    private static partial Regex SecretArnPattern();
}
