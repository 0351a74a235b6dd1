using System.Net;
using System.Text.Json.Nodes;
using Rekey.Sandbox.Core;
using Rekey.Sandbox.Core.Policies;
using Rekey.Sandbox.Protocols;

namespace Rekey.Sandbox.Backup;

// Vaults, their access policies and the recovery points in them.
public sealed partial class BackupService
{
    private void RegisterVaultOperations()
    {
        Register("PUT", "/backup-vaults/{backupVaultName}", "CreateBackupVault", mutating: true, CreateBackupVault);
        Register("GET", "/backup-vaults/{backupVaultName}", "DescribeBackupVault", mutating: false, DescribeBackupVault);
        Register("GET", "/backup-vaults/", "ListBackupVaults", mutating: false, ListBackupVaults);
        Register("PUT", "/backup-vaults/{backupVaultName}/access-policy", "PutBackupVaultAccessPolicy", mutating: true, PutAccessPolicy);
        Register("GET", "/backup-vaults/{backupVaultName}/access-policy", "GetBackupVaultAccessPolicy", mutating: false, GetAccessPolicy);
        Register("DELETE", "/backup-vaults/{backupVaultName}/access-policy", "DeleteBackupVaultAccessPolicy", mutating: true, DeleteAccessPolicy);
        Register("GET", "/backup-vaults/{backupVaultName}/recovery-points/", "ListRecoveryPointsByBackupVault", mutating: false, ListRecoveryPoints);
    }

    private RestJsonResponse CreateBackupVault(AwsRequestContext request, RestJsonRequest r)
    {
        var name = r.PathValue("backupVaultName");
        if (!VaultNamePattern().IsMatch(name))
        {
            throw InvalidParameter($"Invalid backup vault name {name}: use 2 to 50 letters, digits, hyphens and underscores.");
        }

        if (_state.Vaults.Exists(v => v.Account == request.Account && v.Region == request.Region && v.Name == name) || name == BackupState.DefaultVaultName)
        {
            throw new AwsServiceException("AlreadyExistsException", $"Backup vault with the same name already exists", HttpStatusCode.BadRequest)
            {
                Details = ErrorDetails("AlreadyExistsException", $"Backup vault with the same name already exists"),
            };
        }

        SandboxKey key;
        if (String(r.Body, "EncryptionKeyArn") is { } keyArn)
        {
            key = _keys.Find(request.Account, request.Region, keyArn) is { } found && found.Region == request.Region &&
                (found.Account == request.Account || _keys.MayUse(request.Account, found, "kms:CreateGrant"))
                ? found
                : throw InvalidParameter($"Invalid KMS key ARN {keyArn}: the key does not exist or is not accessible.");
            if (!key.IsUsableForEncryption)
            {
                throw InvalidParameter($"The KMS key {keyArn} is not enabled or is not a symmetric encryption key.");
            }
        }
        else
        {
            key = _keys.AwsManagedKey(request.Account, request.Region, "backup");
        }

        var vault = new BackupVault
        {
            Account = request.Account,
            Region = request.Region,
            Name = name,
            EncryptionKeyArn = key.Arn,
            EncryptionKeyManager = key.KeyManager,
            CreationDate = Runtime.Clock.Now,
            CreatorRequestId = String(r.Body, "CreatorRequestId"),
            Tags = StringMap(r.Body, "BackupVaultTags"),
        };
        _state.Vaults.Add(vault);
        return RestJsonResponse.Ok(new JsonObject
        {
            ["BackupVaultName"] = vault.Name,
            ["BackupVaultArn"] = vault.Arn,
            ["CreationDate"] = Epoch(vault.CreationDate),
        });
    }

    private RestJsonResponse DescribeBackupVault(AwsRequestContext request, RestJsonRequest r)
    {
        var vault = Vault(request, r.PathValue("backupVaultName"), r.Query["backupVaultAccountId"].ToString());
        return RestJsonResponse.Ok(VaultJson(vault));
    }

    private RestJsonResponse ListBackupVaults(AwsRequestContext request, RestJsonRequest r)
    {
        _state.FindVault(request.Account, request.Region, BackupState.DefaultVaultName);
        var vaults = _state.Vaults.Where(v => v.Account == request.Account && v.Region == request.Region).OrderBy(v => v.Name, StringComparer.Ordinal).ToList();
        return Page(r, vaults, VaultJson, "BackupVaultList");
    }

    private JsonObject VaultJson(BackupVault vault)
    {
        var json = new JsonObject
        {
            ["BackupVaultName"] = vault.Name,
            ["BackupVaultArn"] = vault.Arn,
            ["VaultType"] = "BACKUP_VAULT",
            ["VaultState"] = "AVAILABLE",
            ["EncryptionKeyArn"] = vault.EncryptionKeyArn,
            ["CreationDate"] = Epoch(vault.CreationDate),
            ["NumberOfRecoveryPoints"] = _state.RecoveryPoints.Count(p => p.Account == vault.Account && p.Region == vault.Region && p.VaultName == vault.Name),
            ["Locked"] = false,
        };
        if (vault.CreatorRequestId is not null)
        {
            json["CreatorRequestId"] = vault.CreatorRequestId;
        }

        if (vault.EncryptionKeyManager == "CUSTOMER")
        {
            json["EncryptionKeyType"] = "CUSTOMER_MANAGED_KMS_KEY";
        }

        return json;
    }

    private RestJsonResponse PutAccessPolicy(AwsRequestContext request, RestJsonRequest r)
    {
        var vault = Vault(request, r.PathValue("backupVaultName"));
        var policy = String(r.Body, "Policy") ?? throw MissingParameter("Policy");
        if (PolicyEvaluator.Parse(policy, out var error) is null)
        {
            throw InvalidParameter("Invalid vault access policy: " + error);
        }

        vault.AccessPolicy = policy;
        return RestJsonResponse.Ok(null);
    }

    private RestJsonResponse GetAccessPolicy(AwsRequestContext request, RestJsonRequest r)
    {
        var vault = Vault(request, r.PathValue("backupVaultName"));

        // AWS answers ResourceNotFoundException when a vault has no access policy.
        var policy = vault.AccessPolicy ?? throw NotFound($"Backup vault {vault.Name} has no access policy.", vault.Arn);
        return RestJsonResponse.Ok(new JsonObject { ["BackupVaultName"] = vault.Name, ["BackupVaultArn"] = vault.Arn, ["Policy"] = policy });
    }

    private RestJsonResponse DeleteAccessPolicy(AwsRequestContext request, RestJsonRequest r)
    {
        Vault(request, r.PathValue("backupVaultName")).AccessPolicy = null;
        return RestJsonResponse.Ok(null);
    }

    private RestJsonResponse ListRecoveryPoints(AwsRequestContext request, RestJsonRequest r)
    {
        var vault = Vault(request, r.PathValue("backupVaultName"), r.Query["backupVaultAccountId"].ToString());
        var resourceArn = r.Query["resourceArn"].ToString();
        var resourceType = r.Query["resourceType"].ToString();
        var before = QueryTime(r, "createdBefore");
        var after = QueryTime(r, "createdAfter");
        var points = _state.RecoveryPoints
            .Where(p => p.Account == vault.Account && p.Region == vault.Region && p.VaultName == vault.Name)
            .Where(p => resourceArn.Length == 0 || p.ResourceArn == resourceArn)
            .Where(p => resourceType.Length == 0 || p.ResourceType == resourceType)
            .Where(p => (before is null || p.CreationDate < before) && (after is null || p.CreationDate > after))
            .OrderByDescending(p => p.CreationDate)
            .ToList();
        return Page(r, points, p => RecoveryPointJson(p, vault), "RecoveryPoints");
    }

    private JsonObject RecoveryPointJson(RecoveryPoint point, BackupVault vault)
    {
        var json = new JsonObject
        {
            ["RecoveryPointArn"] = point.Arn,
            ["BackupVaultName"] = vault.Name,
            ["BackupVaultArn"] = vault.Arn,
            ["ResourceArn"] = point.ResourceArn,
            ["ResourceType"] = point.ResourceType,
            ["IamRoleArn"] = point.IamRoleArn,
            ["Status"] = point.Status,
            ["CreationDate"] = Epoch(point.CreationDate),
            ["BackupSizeInBytes"] = point.BackupSizeInBytes,
            ["IsEncrypted"] = point.EncryptionKeyArn is not null || point.AwsOwnedKey,
            ["ResourceName"] = point.ResourceName,
            ["VaultType"] = "BACKUP_VAULT",
            ["IsParent"] = false,
        };
        Set(json, "SourceBackupVaultArn", point.SourceBackupVaultArn);
        Set(json, "EncryptionKeyArn", point.EncryptionKeyArn);
        Set(json, "EncryptionKeyType", point.AwsOwnedKey ? "AWS_OWNED_KMS_KEY" : null);
        if (point.CompletionDate is { } completed)
        {
            json["CompletionDate"] = Epoch(completed);
        }

        if (point.Lifecycle is { } lifecycle)
        {
            json["Lifecycle"] = lifecycle.DeepClone();
            var calculated = new JsonObject();
            if (lifecycle["DeleteAfterDays"] is { } deleteAfter)
            {
                calculated["DeleteAt"] = Epoch(point.CreationDate.AddDays(deleteAfter.GetValue<long>()));
            }

            if (lifecycle["MoveToColdStorageAfterDays"] is { } coldAfter)
            {
                calculated["MoveToColdStorageAt"] = Epoch(point.CreationDate.AddDays(coldAfter.GetValue<long>()));
            }

            json["CalculatedLifecycle"] = calculated;
        }

        return json;
    }
}
