using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using GetCallerIdentityRequest = Amazon.SecurityToken.Model.GetCallerIdentityRequest;
using Microsoft.Extensions.Logging;
using Rekey.Configuration;
using Rekey.Runtime;
using Rekey.Safety;

namespace Rekey.Migration;

/// <summary>
/// Makes sure the customer managed key exists and may be used: uses <c>--kms-key</c> as it is, or with
/// <c>--create-key</c> creates it under the alias (policy, rotation, tags), adopting the alias if it exists already.
/// </summary>
public static class PrepareKey
{
    /// <summary>Creates or adopts the key; takes no lock (a run that only prepares its key must not hold the cluster), but no other run may hold it.</summary>
    public static StepRules Rules { get; } = StepRules.Of(
        "PrepareKey", LockRule.NotHeldByAnother, ClusterExpectation.SourceExists, checksTargetKey: false,
        StepRules.Kms(nameof(IAmazonKeyManagementService.CreateKeyAsync), nameof(IAmazonKeyManagementService.CreateAliasAsync), nameof(IAmazonKeyManagementService.EnableKeyRotationAsync),
            nameof(IAmazonKeyManagementService.PutKeyPolicyAsync), nameof(IAmazonKeyManagementService.ScheduleKeyDeletionAsync)))
        .Reading(StepRules.ClusterReads, StepRules.AwsClockRead, StepRules.Kms("DescribeKey", "ListKeys", "ListResourceTags", "GetKeyPolicy", "GetKeyRotationStatus"));

    public const string ManagedTagKey = "rekey:managed";

    /// <summary>The alias a created key is meant for, so a rerun after a crash between CreateKey and CreateAlias finds it.</summary>
    public const string AliasTagKey = "rekey:alias";

    public static async Task<string> RunAsync(RekeyRun run, CancellationToken cancellationToken)
    {
        var reference = run.Settings.KmsKey
            ?? throw new InvalidArgumentsException("This step needs the target key: give --kms-key=<key id, ARN, alias/NAME or alias ARN>.");

        var key = await TargetKey.DescribeAsync(run, reference.Value, cancellationToken).ConfigureAwait(false);
        if (key is null)
        {
            if (!run.Settings.CreateKey)
            {
                throw new InvalidOperationException($"--kms-key {reference} does not exist in {run.Region.SystemName}; give an existing key, or add --create-key to create it.");
            }

            key = await CreateAsync(run, reference, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            run.Log.LogInformation("Using key {Key} ({Arn})", reference, key.Arn);
            await CheckPolicyAsync(run, key, cancellationToken).ConfigureAwait(false);
        }

        var problems = TargetKey.Problems(key, run.Region.SystemName, reference).ToList();
        if (problems.Count > 0)
        {
            throw new InvalidOperationException(string.Join(Environment.NewLine, problems));
        }

        run.Journal.Fact("target-key", key.Arn);
        return key.Arn;
    }

    private static async Task<KeyMetadata> CreateAsync(RekeyRun run, KmsKeyReference alias, CancellationToken cancellationToken)
    {
        if (!alias.IsAlias)
        {
            throw new InvalidArgumentsException($"--create-key needs an alias to create the key under, not {alias}: give --kms-key=alias/NAME.");
        }

        var aliasName = alias.Kind == KmsKeyReferenceKind.AliasArn ? alias.Value[(alias.Value.IndexOf(":alias/", StringComparison.Ordinal) + 1)..] : alias.Value;
        var orphan = await FindKeyCreatedForAliasAsync(run, aliasName, cancellationToken).ConfigureAwait(false);
        if (orphan is not null)
        {
            // An earlier attempt created the key and stopped before naming it: name that one, make no second key.
            return await NameAndRotateAsync(run, orphan, aliasName, cancellationToken).ConfigureAwait(false);
        }

        var identity = await run.Sts.GetCallerIdentityAsync(new GetCallerIdentityRequest(), cancellationToken).ConfigureAwait(false);
        var partition = identity.Arn.Split(':')[1];
        var policy = KeyPolicies.ForNewKey(partition, identity.Account, run.Region.SystemName, run.Settings.BackupAccount);

        var created = await run.Kms.CreateKeyAsync(
            new CreateKeyRequest
            {
                Description = $"Rekey: storage key for Aurora cluster {run.Settings.Cluster ?? "clusters"} (created by run {run.RunId})",
                KeySpec = KeySpec.SYMMETRIC_DEFAULT,
                KeyUsage = KeyUsageType.ENCRYPT_DECRYPT,
                Policy = policy,
                Tags =
                [
                    new Tag { TagKey = ManagedTagKey, TagValue = "true" },
                    new Tag { TagKey = "rekey:run-id", TagValue = run.RunId },
                    new Tag { TagKey = AliasTagKey, TagValue = aliasName },
                ],
            },
            cancellationToken).ConfigureAwait(false);
        run.Journal.Add("PrepareKey", $"Created key {created.KeyMetadata.Arn} for {aliasName}.");
        return await NameAndRotateAsync(run, created.KeyMetadata, aliasName, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<KeyMetadata> NameAndRotateAsync(RekeyRun run, KeyMetadata key, string aliasName, CancellationToken cancellationToken)
    {
        try
        {
            await run.Kms.CreateAliasAsync(new CreateAliasRequest { AliasName = aliasName, TargetKeyId = key.KeyId }, cancellationToken).ConfigureAwait(false);
        }
        catch (AlreadyExistsException)
        {
            // Another run named a key in the meantime: adopt it. Ours is deleted only when it is not that very key
            // (two runs can adopt the same unnamed key; the slower one must not delete what the alias now names).
            var named = await TargetKey.DescribeAsync(run, aliasName, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"Alias {aliasName} exists and names no key.");
            if (named.KeyId != key.KeyId)
            {
                await run.Kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = key.KeyId, PendingWindowInDays = 7 }, cancellationToken).ConfigureAwait(false);
            }

            return named;
        }

        await run.Kms.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = key.KeyId }, cancellationToken).ConfigureAwait(false);
        run.Log.LogInformation("Key {Arn} is {Alias}, rotation on", key.Arn, aliasName);
        run.Journal.Add("PrepareKey", $"Named key {key.Arn} {aliasName}, with automatic rotation.");
        return key;
    }

    /// <summary>A key an earlier attempt created for the alias (tagged so) but did not get to name; null when there is none.</summary>
    private static async Task<KeyMetadata?> FindKeyCreatedForAliasAsync(RekeyRun run, string aliasName, CancellationToken cancellationToken)
    {
        var request = new ListKeysRequest();
        do
        {
            var page = await run.Kms.ListKeysAsync(request, cancellationToken).ConfigureAwait(false);
            foreach (var entry in page.Keys ?? [])
            {
                ListResourceTagsResponse tags;
                try
                {
                    tags = await run.Kms.ListResourceTagsAsync(new ListResourceTagsRequest { KeyId = entry.KeyId }, cancellationToken).ConfigureAwait(false);
                }
                catch (Amazon.Runtime.AmazonServiceException)
                {
                    // Keys this principal may not read (AWS managed ones, foreign policies) cannot be ours.
                    continue;
                }

                if (tags.Tags?.Any(t => t.TagKey == AliasTagKey && t.TagValue == aliasName) != true)
                {
                    continue;
                }

                var key = await TargetKey.DescribeAsync(run, entry.KeyId, cancellationToken).ConfigureAwait(false);
                if (key?.KeyState == KeyState.Enabled)
                {
                    return key;
                }
            }

            request.Marker = page.NextMarker;
        }
        while (!string.IsNullOrEmpty(request.Marker));

        return null;
    }

    private static async Task CheckPolicyAsync(RekeyRun run, KeyMetadata key, CancellationToken cancellationToken)
    {
        if (key.KeyManager != KeyManagerType.CUSTOMER)
        {
            return;
        }

        var rotation = await run.Kms.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = key.KeyId }, cancellationToken).ConfigureAwait(false);
        if (rotation.KeyRotationEnabled != true)
        {
            var tags = await run.Kms.ListResourceTagsAsync(new ListResourceTagsRequest { KeyId = key.KeyId }, cancellationToken).ConfigureAwait(false);
            if (tags.Tags?.Any(t => t.TagKey == ManagedTagKey) == true)
            {
                await run.Kms.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = key.KeyId }, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                run.Journal.Add("PrepareKey", $"Automatic rotation is off for {key.Arn}; consider turning it on.", Reporting.JournalLevel.Warning);
            }
        }

        if (run.Settings.BackupAccount is not { } backupAccount)
        {
            return;
        }

        var policy = await run.Kms.GetKeyPolicyAsync(new GetKeyPolicyRequest { KeyId = key.KeyId, PolicyName = "default" }, cancellationToken).ConfigureAwait(false);
        if (KeyPolicies.Allows(policy.Policy, backupAccount, "kms:Decrypt", "kms:CreateGrant", "kms:DescribeKey"))
        {
            return;
        }

        var managed = (await run.Kms.ListResourceTagsAsync(new ListResourceTagsRequest { KeyId = key.KeyId }, cancellationToken).ConfigureAwait(false))
            .Tags?.Any(t => t.TagKey == ManagedTagKey) == true;
        if (managed)
        {
            var partition = key.Arn.Split(':')[1];
            await run.Kms.PutKeyPolicyAsync(
                new PutKeyPolicyRequest { KeyId = key.KeyId, PolicyName = "default", Policy = KeyPolicies.WithBackupAccount(policy.Policy, partition, backupAccount) },
                cancellationToken).ConfigureAwait(false);
            run.Journal.Add("PrepareKey", $"Added backup account {backupAccount} to the policy of {key.Arn}.");
        }
        else
        {
            run.Journal.Add(
                "PrepareKey",
                $"The policy of {key.Arn} does not let backup account {backupAccount} use the key; "
                + $"cross-account backup copies will fail until it does (statement {KeyPolicies.BackupAccountSid} in docs).",
                Reporting.JournalLevel.Warning);
        }
    }
}
