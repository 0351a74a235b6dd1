using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Rekey.Configuration;
using Rekey.Runtime;

namespace Rekey.Migration;

/// <summary>Looks up the key the new cluster will be encrypted with, and says why it cannot be used when it cannot.</summary>
public static class TargetKey
{
    /// <summary>The key's metadata, or null when KMS has no such key (or alias).</summary>
    public static async Task<KeyMetadata?> DescribeAsync(RekeyRun run, string keyId, CancellationToken cancellationToken)
    {
        try
        {
            var response = await run.Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId }, cancellationToken).ConfigureAwait(false);
            return response.KeyMetadata;
        }
        catch (NotFoundException)
        {
            return null;
        }
    }

    /// <summary>The ARN of the key <c>--kms-key</c> names; it must exist (PrepareKey makes sure of that).</summary>
    public static async Task<string> ResolveArnAsync(RekeyRun run, CancellationToken cancellationToken)
    {
        var reference = run.Settings.KmsKey
            ?? throw new InvalidArgumentsException("This step needs the target key: give --kms-key=<key id, ARN, alias/NAME or alias ARN>.");
        var key = await DescribeAsync(run, reference.Value, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"--kms-key {reference} does not exist in {run.Region.SystemName}: run PrepareKey (with --create-key to create it).");
        return key.Arn;
    }

    /// <summary>Every reason the key cannot encrypt the new cluster in <paramref name="region"/>; empty when it can.</summary>
    public static IEnumerable<string> Problems(KeyMetadata key, string region, KmsKeyReference asGiven)
    {
        if (key.KeyManager == KeyManagerType.AWS)
        {
            yield return $"--kms-key {asGiven} is an AWS managed key; AWS Backup cannot copy with it across accounts. Give a customer managed key, or --create-key with an alias.";
        }

        if (key.KeyState != KeyState.Enabled)
        {
            yield return $"--kms-key {asGiven} is {key.KeyState}; enable it (kms enable-key, or cancel its deletion) or give another key.";
        }

        if (key.KeySpec != KeySpec.SYMMETRIC_DEFAULT || key.KeyUsage != KeyUsageType.ENCRYPT_DECRYPT)
        {
            yield return $"--kms-key {asGiven} is {key.KeySpec} for {key.KeyUsage}; RDS needs a SYMMETRIC_DEFAULT key for ENCRYPT_DECRYPT.";
        }

        var keyRegion = key.Arn?.Split(':') is { Length: > 3 } parts ? parts[3] : null;
        if (keyRegion is not null && !string.Equals(keyRegion, region, StringComparison.Ordinal) && key.MultiRegion != true)
        {
            yield return $"--kms-key {asGiven} is in {keyRegion}, the cluster in {region}; RDS needs a key in the cluster's Region.";
        }
    }
}
