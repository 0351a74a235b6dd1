using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Amazon.SecurityToken.Model;
using Rekey.Checks;
using Rekey.Configuration;
using Rekey.Runtime;

namespace Rekey.Migration;
/// <summary>The target key: it exists, can encrypt the new cluster, and its policy lets RDS use it for the run.</summary>
public static partial class Preflight
{
    private static async Task<KeyMetadata?> DescribeTargetKeyAsync(RekeyRun run, KmsKeyReference keyReference, List<string> blocks, PreflightChecks checks, CancellationToken cancellationToken)
    {
        KeyMetadata? key;
        try
        {
            key = await TargetKey.DescribeAsync(run, keyReference.Value, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonServiceException exception) when (exception.ErrorCode is "AccessDeniedException" or "AccessDenied")
        {
            var identity = await run.Sts.GetCallerIdentityAsync(new GetCallerIdentityRequest(), cancellationToken).ConfigureAwait(false);
            var keyAccount = ArnPart(keyReference.Value, 4);
            blocks.Add(keyAccount is null || keyAccount == identity.Account
                ? $"--kms-key {keyReference}: this account's key policy does not let {identity.Arn} describe the key ({exception.Message}). "
                    + $"Add a key policy statement allowing {string.Join(", ", KeyUsePolicy.RdsActions)} to arn:aws:iam::{identity.Account}:root (or the run's role), or give another key."
                : $"--kms-key {keyReference}: this account may not describe the key ({exception.Message}). The key's policy in account {keyAccount} must allow account {identity.Account}.");
            return null;
        }

        if (key is null)
        {
            var keyRegion = ArnPart(keyReference.Value, 3);
            if (keyRegion is not null && !string.Equals(keyRegion, run.Region.SystemName, StringComparison.Ordinal))
            {
                blocks.Add($"--kms-key {keyReference} is in {keyRegion}, the cluster in {run.Region.SystemName}; RDS needs a key in the cluster's Region. "
                    + $"Give a key of {run.Region.SystemName} (or a replica of a multi-Region key there).");
            }
            else if (!run.Settings.CreateKey)
            {
                blocks.Add($"--kms-key {keyReference} does not exist in {run.Region.SystemName}. Give an existing key, or add --create-key to create it under that alias.");
            }

            return null;
        }

        var problems = TargetKey.Problems(key, run.Region.SystemName, keyReference).ToList();
        blocks.AddRange(problems);
        if (problems.Count == 0)
        {
            await CheckKeyPolicyAsync(run, key, keyReference, blocks, checks.Items, cancellationToken).ConfigureAwait(false);
        }

        return key;
    }

    /// <summary>
    /// The key policy of a key in this account must let the run's principal have RDS use the key: without
    /// it the restore fails with KMSKeyNotAccessibleFault after Fence has renamed the cluster. A key in
    /// another account is proven by AWS's answer to DescribeKey only (its policy is not readable from here).
    /// </summary>
    private static async Task CheckKeyPolicyAsync(RekeyRun run, KeyMetadata key, KmsKeyReference keyReference, List<string> blocks, Checklist checks, CancellationToken cancellationToken)
    {
        var identity = await run.Sts.GetCallerIdentityAsync(new GetCallerIdentityRequest(), cancellationToken).ConfigureAwait(false);
        var what = $"the key policy of {keyReference} lets {identity.Arn} use the key through RDS";
        if (!string.Equals(key.AWSAccountId, identity.Account, StringComparison.Ordinal))
        {
            // Supplementary, as before: DescribeKey answered, and the policy of another account's key is not readable from here.
            checks.NotMeasuredBecause(
                what,
                $"the key belongs to account {key.AWSAccountId}, whose key policy this account cannot read; only DescribeKey answered.",
                $"the key policy in account {key.AWSAccountId} (aws kms get-key-policy --key-id {key.Arn} --policy-name default there): "
                + $"it must allow {string.Join(", ", KeyUsePolicy.RdsActions)} to account {identity.Account}; DressRehearsal proves it with a throw-away restore",
                essential: false);
            return;
        }

        string policy;
        try
        {
            policy = (await run.Kms.GetKeyPolicyAsync(new GetKeyPolicyRequest { KeyId = key.KeyId, PolicyName = "default" }, cancellationToken).ConfigureAwait(false)).Policy;
        }
        catch (AmazonServiceException exception) when (exception.ErrorCode is "AccessDeniedException" or "AccessDenied")
        {
            // Not measured, so not passed: the restore would find out only after the outage started.
            checks.NotMeasuredBecause(
                what,
                $"{identity.Arn} may not read the key's policy (kms:GetKeyPolicy), so Preflight cannot prove RDS may use the key for it.",
                $"the key policy in the KMS console (or aws kms get-key-policy --key-id {key.Arn} --policy-name default with a role that may read it), "
                + "or allow kms:GetKeyPolicy on the key to the run's role and run Preflight again.");
            blocks.Add($"--kms-key {keyReference}: {identity.Arn} may not read the key's policy (kms:GetKeyPolicy), so Preflight cannot prove RDS may use the key for it (not measured). "
                + "Allow kms:GetKeyPolicy on the key to the run's role.");
            return;
        }

        var check = KeyUsePolicy.CheckForRds(policy, identity.Account, RoleArnOf(identity.Arn), run.Region.SystemName);
        RecordKeyUse(checks, what, check, key.Arn);
        if (check.Missing.Count > 0)
        {
            var why = check.Reasons.Count > 0 ? $" {string.Join("; ", check.Reasons)}." : string.Empty;
            var fix = check.Reasons.Any(r => r.StartsWith("Deny", StringComparison.Ordinal))
                ? $"Change or remove the Deny statement so that it cannot apply to RDS's use of the key for {identity.Arn} (through kms:ViaService rds.{run.Region.SystemName}.amazonaws.com), "
                    + "or give another key."
                : $"Add a key policy statement allowing {string.Join(", ", KeyUsePolicy.RdsActions)} to arn:aws:iam::{identity.Account}:root (or the run's role), or give another key.";
            blocks.Add($"--kms-key {keyReference}: its key policy does not let {identity.Arn} use the key through RDS ({string.Join(", ", check.Missing)}); "
                + $"the restore would fail with KMSKeyNotAccessibleFault after the outage starts.{why} {fix}");
        }
    }

    /// <summary>
    /// The key policy item: passed, failed when the policy denies or lacks an action, not measured when only conditions
    /// that depend on RDS's request (which Preflight cannot know) stand between the run and an action. The block is the
    /// same either way: the cutover must not rest on it.
    /// </summary>
    private static void RecordKeyUse(Checklist checks, string what, KeyUseCheck check, string keyArn)
    {
        if (check.Missing.Count == 0)
        {
            checks.Pass(what);
        }
        else if (check.Undecided.Count == check.Missing.Count)
        {
            checks.NotMeasuredBecause(
                what,
                $"whether RDS may use the key for {string.Join(", ", check.Undecided)} rests on conditions Preflight cannot evaluate: {string.Join("; ", check.Reasons)}.",
                $"the key policy of {keyArn} with the conditions named (aws kms get-key-policy), IAM's policy simulator, or DressRehearsal, whose throw-away restore uses the key as the cutover will");
        }
        else
        {
            checks.Fail(what, $"the key policy does not let the run use the key through RDS ({string.Join(", ", check.Missing.Except(check.Undecided))}).");
        }
    }

    /// <summary>arn:aws:iam::ACCOUNT:role/NAME for an assumed-role session's ARN; null for any other caller.</summary>
    private static string? RoleArnOf(string callerArn)
    {
        var parts = callerArn.Split(':', 6);
        if (parts.Length == 6 && parts[2] == "sts" && parts[5].StartsWith("assumed-role/", StringComparison.Ordinal))
        {
            return $"arn:{parts[1]}:iam::{parts[4]}:role/{parts[5].Split('/')[1]}";
        }

        return parts.Length == 6 && parts[2] == "iam" && parts[5].StartsWith("role/", StringComparison.Ordinal) ? callerArn : null;
    }

    /// <summary>Field <paramref name="index"/> of an ARN (3 the Region, 4 the account); null for a key id or alias name.</summary>
    private static string? ArnPart(string reference, int index) =>
        reference.StartsWith("arn:", StringComparison.Ordinal) && reference.Split(':') is { Length: > 5 } parts ? parts[index] : null;
}
