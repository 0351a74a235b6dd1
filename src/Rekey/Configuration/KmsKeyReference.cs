using System.Text.RegularExpressions;

namespace Rekey.Configuration;

/// <summary>
/// A KMS key as an operator may name it: key id, key ARN, alias name or alias ARN
/// (the four forms KMS's KeyId parameter accepts).
/// </summary>
public sealed partial record KmsKeyReference(string Value, KmsKeyReferenceKind Kind)
{
    public bool IsAlias => Kind is KmsKeyReferenceKind.AliasName or KmsKeyReferenceKind.AliasArn;

    /// <summary>The region the reference pins, for ARNs; null for ids and alias names.</summary>
    public string? Region => Kind is KmsKeyReferenceKind.KeyArn or KmsKeyReferenceKind.AliasArn
        ? Value.Split(':')[3]
        : null;

    /// <summary>The account the reference pins, for ARNs; null for ids and alias names.</summary>
    public string? Account => Kind is KmsKeyReferenceKind.KeyArn or KmsKeyReferenceKind.AliasArn
        ? Value.Split(':')[4]
        : null;

    public static bool TryParse(string text, out KmsKeyReference? reference)
    {
        reference = text switch
        {
            _ when KeyIdPattern().IsMatch(text) => new KmsKeyReference(text, KmsKeyReferenceKind.KeyId),
            _ when KeyArnPattern().IsMatch(text) => new KmsKeyReference(text, KmsKeyReferenceKind.KeyArn),
            _ when AliasNamePattern().IsMatch(text) => new KmsKeyReference(text, KmsKeyReferenceKind.AliasName),
            _ when AliasArnPattern().IsMatch(text) => new KmsKeyReference(text, KmsKeyReferenceKind.AliasArn),
            _ => null,
        };
        return reference is not null;
    }

    public override string ToString() => Value;

    // Single-region keys are UUIDs; multi-Region keys are "mrk-" and 32 hex digits.
    private const string KeyId = "(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})";
    private const string AliasName = "alias/[a-zA-Z0-9/_-]{1,250}";
    private const string ArnPrefix = @"arn:aws(?:-[a-z]+)*:kms:[a-z]{2}(?:-[a-z]+)+-[0-9]+:[0-9]{12}:";

    [GeneratedRegex("^" + KeyId + "$")]
    private static partial Regex KeyIdPattern();

    [GeneratedRegex("^" + ArnPrefix + "key/" + KeyId + "$")]
    private static partial Regex KeyArnPattern();

    [GeneratedRegex("^" + AliasName + "$")]
    private static partial Regex AliasNamePattern();

    [GeneratedRegex("^" + ArnPrefix + AliasName + "$")]
    private static partial Regex AliasArnPattern();
}

public enum KmsKeyReferenceKind
{
    KeyId,
    KeyArn,
    AliasName,
    AliasArn,
}
