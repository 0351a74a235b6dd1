using System.Text.Json.Nodes;
using Rekey.Sandbox.Core;
using Rekey.Sandbox.Protocols;

namespace Rekey.Sandbox.Backup;

/// <summary>
/// What IAM evaluates for an AWS Backup call, for the call record: the vaults, plans and recovery points it
/// names (by path or body), the plan it creates, the key a vault is created with, the role it hands to
/// AWS Backup (iam:PassRole to backup.amazonaws.com), and the tags it sends.
/// </summary>
public sealed partial class BackupService
{
    protected override void DescribeForIam(AwsRequestContext request, string operation, RestJsonRequest parsed, bool afterHandler)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(parsed);
        if (afterHandler)
        {
            DescribeCreated(request, operation, parsed);
            return;
        }

        var iam = request.Authorization;
        var body = parsed.Body;
        foreach (var member in new[] { "BackupVaultTags", "BackupPlanTags", "Tags", "RecoveryPointTags" })
        {
            if (body[member] is JsonObject tags)
            {
                foreach (var (tagKey, value) in tags)
                {
                    iam.AddRequestTag(tagKey, value?.GetValue<string>() ?? string.Empty);
                }
            }
        }

        DescribeNamedVaults(request, operation, parsed);
        DescribeNamedPointPlanKeyAndRole(request, parsed);
    }

    /// <summary>The plan or vault the call created (and the key a new vault encrypts with), known once the handler ran.</summary>
    private void DescribeCreated(AwsRequestContext request, string operation, RestJsonRequest parsed)
    {
        var iam = request.Authorization;
        if (operation == "CreateBackupPlan"
            && (parsed.Body["BackupPlan"] as JsonObject)?["BackupPlanName"]?.GetValue<string>() is { } planName
            && _state.Plans.LastOrDefault(p => p.Account == request.Account && p.Region == request.Region && p.Name == planName) is { } plan)
        {
            iam.Add(plan.Arn, CallResourceUse.Created, plan.Tags);
        }

        if (operation == "CreateBackupVault" && parsed.Path.GetValueOrDefault("backupVaultName") is { } created
            && _state.Vaults.FirstOrDefault(v => v.Account == request.Account && v.Region == request.Region && v.Name == created) is { } vault)
        {
            iam.Add(vault.Arn, CallResourceUse.Created, vault.Tags);

            // The key the vault encrypts with (given, or the account's aws/backup key), on which AWS Backup makes a grant.
            if (_keys.Resolve(request.Account, request.Region, vault.EncryptionKeyArn) is { } vaultKey)
            {
                iam.Add(vaultKey.Arn, CallResourceUse.Named, vaultKey.Tags.Select(t => new KeyValuePair<string, string>(t.TagKey, t.TagValue)));
            }
        }
    }

    /// <summary>The vaults the call names by path or body; one that does not exist yet is named by the ARN it would have.</summary>
    private void DescribeNamedVaults(AwsRequestContext request, string operation, RestJsonRequest parsed)
    {
        // StartCopyJob is authorized on its recovery point only (Service Authorization Reference); its vaults are not resources of it.
        var vaultNames = operation == "StartCopyJob" ? [] : new[] { parsed.Path.GetValueOrDefault("backupVaultName"), Text(parsed.Body, "BackupVaultName") };
        foreach (var name in vaultNames.OfType<string>().Where(n => n.Length > 0).Distinct(StringComparer.Ordinal))
        {
            var vault = _state.Vaults.FirstOrDefault(v => v.Account == request.Account && v.Region == request.Region && v.Name == name);
            if (vault is not null)
            {
                request.Authorization.Add(vault.Arn, CallResourceUse.Named, vault.Tags);
            }
            else if (operation != "CreateBackupVault")
            {
                request.Authorization.Add($"arn:aws:backup:{request.Region}:{request.Account}:backup-vault:{name}", CallResourceUse.Named);
            }
        }
    }

    /// <summary>The recovery point, plan and key the call names, and the role it hands to AWS Backup.</summary>
    private void DescribeNamedPointPlanKeyAndRole(AwsRequestContext request, RestJsonRequest parsed)
    {
        var iam = request.Authorization;
        var body = parsed.Body;
        if (Text(body, "RecoveryPointArn") is { } point)
        {
            iam.Add(point, CallResourceUse.Named);
        }

        if (parsed.Path.GetValueOrDefault("backupPlanId") is { } planId)
        {
            var plan = _state.Plans.FirstOrDefault(p => p.Account == request.Account && p.Region == request.Region && p.Id == planId);
            iam.Add(plan?.Arn ?? $"arn:aws:backup:{request.Region}:{request.Account}:backup-plan:{planId}", CallResourceUse.Named, plan?.Tags);
        }

        if (Text(body, "EncryptionKeyArn") is { } keyArn && _keys.Resolve(request.Account, request.Region, keyArn) is { } key)
        {
            iam.Add(key.Arn, CallResourceUse.Named, key.Tags.Select(t => new KeyValuePair<string, string>(t.TagKey, t.TagValue)));
        }

        var role = Text(body, "IamRoleArn") ?? Text(body["BackupSelection"] as JsonObject, "IamRoleArn");
        if (role is not null)
        {
            var passedTo = new Dictionary<string, IReadOnlyList<string>> { ["iam:PassedToService"] = ["backup.amazonaws.com"] };
            iam.Add(role, CallResourceUse.Passed, context: passedTo);
        }
    }

    private static string? Text(JsonObject? body, string member) =>
        body?[member] is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0 ? text : null;
}
