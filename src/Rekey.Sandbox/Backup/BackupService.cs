using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Rekey.Sandbox.Core;
using Rekey.Sandbox.Iam;
using Rekey.Sandbox.Core.Policies;
using Rekey.Sandbox.Kms;
using Rekey.Sandbox.Protocols;
using Rekey.Sandbox.Rds;

namespace Rekey.Sandbox.Backup;

/// <summary>
/// AWS Backup (REST-JSON, 2018-11-15) for Aurora clusters: vaults and their access policies,
/// plans with copy rules, selections, global settings of the organization, backup jobs whose
/// recovery points keep the cluster's own key, and copy jobs into other accounts' vaults that
/// succeed or fail the way AWS's do (see <see cref="BackupState"/>).
/// </summary>
public sealed partial class BackupService : RestJsonService
{
    private readonly BackupState _state;
    private readonly RdsState _rds;
    private readonly KmsKeyStore _keys;
    private readonly IamRoles _roles;

    public BackupService(SandboxRuntime runtime, BackupState state, RdsState rds, KmsKeyStore keys, IamRoles roles)
        : base(runtime)
    {
        _state = state;
        _rds = rds;
        _keys = keys;
        _roles = roles;
        Register("PUT", "/backup-vaults/{backupVaultName}", "CreateBackupVault", mutating: true, CreateBackupVault);
        Register("GET", "/backup-vaults/{backupVaultName}", "DescribeBackupVault", mutating: false, DescribeBackupVault);
        Register("GET", "/backup-vaults/", "ListBackupVaults", mutating: false, ListBackupVaults);
        Register("PUT", "/backup-vaults/{backupVaultName}/access-policy", "PutBackupVaultAccessPolicy", mutating: true, PutAccessPolicy);
        Register("GET", "/backup-vaults/{backupVaultName}/access-policy", "GetBackupVaultAccessPolicy", mutating: false, GetAccessPolicy);
        Register("DELETE", "/backup-vaults/{backupVaultName}/access-policy", "DeleteBackupVaultAccessPolicy", mutating: true, DeleteAccessPolicy);
        Register("GET", "/backup-vaults/{backupVaultName}/recovery-points/", "ListRecoveryPointsByBackupVault", mutating: false, ListRecoveryPoints);
        Register("PUT", "/backup/plans/", "CreateBackupPlan", mutating: true, CreateBackupPlan);
        Register("POST", "/backup/plans/{backupPlanId}", "UpdateBackupPlan", mutating: true, UpdateBackupPlan);
        Register("GET", "/backup/plans/{backupPlanId}/", "GetBackupPlan", mutating: false, GetBackupPlan);
        Register("GET", "/backup/plans/", "ListBackupPlans", mutating: false, ListBackupPlans);
        Register("PUT", "/backup/plans/{backupPlanId}/selections/", "CreateBackupSelection", mutating: true, CreateBackupSelection);
        Register("GET", "/backup/plans/{backupPlanId}/selections/{selectionId}", "GetBackupSelection", mutating: false, GetBackupSelection);
        Register("GET", "/backup/plans/{backupPlanId}/selections/", "ListBackupSelections", mutating: false, ListBackupSelections);
        Register("GET", "/global-settings", "DescribeGlobalSettings", mutating: false, DescribeGlobalSettings);
        Register("PUT", "/global-settings", "UpdateGlobalSettings", mutating: true, UpdateGlobalSettings);
        Register("PUT", "/backup-jobs", "StartBackupJob", mutating: true, StartBackupJob);
        Register("GET", "/backup-jobs/{backupJobId}", "DescribeBackupJob", mutating: false, DescribeBackupJob);
        Register("PUT", "/copy-jobs", "StartCopyJob", mutating: true, StartCopyJob);
        Register("GET", "/copy-jobs/{copyJobId}", "DescribeCopyJob", mutating: false, DescribeCopyJob);
        Register("GET", "/copy-jobs/", "ListCopyJobs", mutating: false, ListCopyJobs);
        Register("POST", "/tags/{resourceArn}", "TagResource", mutating: true, TagResource);
        Register("GET", "/tags/{resourceArn}/", "ListTags", mutating: false, ListTags);
    }

    public override string SigningName => "backup";

    // ---- Vaults ------------------------------------------------------------------------------------

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
            ["IsEncrypted"] = point.EncryptionKeyArn is not null,
            ["ResourceName"] = point.ResourceName,
            ["VaultType"] = "BACKUP_VAULT",
            ["IsParent"] = false,
        };
        Set(json, "SourceBackupVaultArn", point.SourceBackupVaultArn);
        Set(json, "EncryptionKeyArn", point.EncryptionKeyArn);
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

    // ---- Plans and selections -------------------------------------------------------------------------

    private RestJsonResponse CreateBackupPlan(AwsRequestContext request, RestJsonRequest r)
    {
        var input = r.Body["BackupPlan"] as JsonObject ?? throw MissingParameter("BackupPlan");
        var creatorRequestId = String(r.Body, "CreatorRequestId");

        // AWS does not make plan names unique; only a repeated CreatorRequestId is refused, so a
        // client that creates by name without looking first gets a second plan, as in AWS.
        if (creatorRequestId is not null && _state.Plans.Exists(p => p.Account == request.Account && p.Region == request.Region && p.CreatorRequestId == creatorRequestId))
        {
            throw new AwsServiceException("AlreadyExistsException", $"A backup plan with CreatorRequestId {creatorRequestId} already exists.")
            {
                Details = ErrorDetails("AlreadyExistsException", $"A backup plan with CreatorRequestId {creatorRequestId} already exists."),
            };
        }

        var now = Runtime.Clock.Now;
        var plan = new BackupPlan
        {
            Account = request.Account,
            Region = request.Region,
            Id = Guid.NewGuid().ToString("D"),
            Name = PlanName(input),
            VersionId = NewVersionId(),
            CreationDate = now,
            VersionDate = now,
            CreatorRequestId = creatorRequestId,
            Rules = Rules(request, input, previous: null),
            AdvancedBackupSettings = input["AdvancedBackupSettings"]?.DeepClone() as JsonArray,
            Tags = StringMap(r.Body, "BackupPlanTags"),
        };
        _state.Plans.Add(plan);
        return RestJsonResponse.Ok(PlanSummary(plan, plan.CreationDate));
    }

    private RestJsonResponse UpdateBackupPlan(AwsRequestContext request, RestJsonRequest r)
    {
        var plan = Plan(request, r.PathValue("backupPlanId"));
        var input = r.Body["BackupPlan"] as JsonObject ?? throw MissingParameter("BackupPlan");
        plan.Name = PlanName(input);
        plan.Rules = Rules(request, input, plan.Rules);
        plan.AdvancedBackupSettings = input["AdvancedBackupSettings"]?.DeepClone() as JsonArray;
        plan.VersionId = NewVersionId();
        plan.VersionDate = Runtime.Clock.Now;
        return RestJsonResponse.Ok(PlanSummary(plan, plan.VersionDate));
    }

    private RestJsonResponse GetBackupPlan(AwsRequestContext request, RestJsonRequest r)
    {
        var plan = Plan(request, r.PathValue("backupPlanId"));
        var versionId = r.Query["versionId"].ToString();
        if (versionId.Length > 0 && versionId != plan.VersionId)
        {
            // The sandbox keeps the current version of a plan only.
            throw NotFound($"Backup plan {plan.Id} has no version {versionId}.", plan.Arn);
        }

        var body = new JsonObject { ["BackupPlanName"] = plan.Name, ["Rules"] = plan.Rules.DeepClone() };
        if (plan.AdvancedBackupSettings is not null)
        {
            body["AdvancedBackupSettings"] = plan.AdvancedBackupSettings.DeepClone();
        }

        var json = new JsonObject
        {
            ["BackupPlan"] = body,
            ["BackupPlanId"] = plan.Id,
            ["BackupPlanArn"] = plan.Arn,
            ["VersionId"] = plan.VersionId,
            ["CreationDate"] = Epoch(plan.CreationDate),
        };
        Set(json, "CreatorRequestId", plan.CreatorRequestId);
        if (plan.AdvancedBackupSettings is not null)
        {
            json["AdvancedBackupSettings"] = plan.AdvancedBackupSettings.DeepClone();
        }

        return RestJsonResponse.Ok(json);
    }

    private RestJsonResponse ListBackupPlans(AwsRequestContext request, RestJsonRequest r)
    {
        var plans = _state.Plans.Where(p => p.Account == request.Account && p.Region == request.Region).OrderBy(p => p.CreationDate).ToList();
        return Page(r, plans, p =>
        {
            var json = new JsonObject
            {
                ["BackupPlanArn"] = p.Arn,
                ["BackupPlanId"] = p.Id,
                ["CreationDate"] = Epoch(p.CreationDate),
                ["VersionId"] = p.VersionId,
                ["BackupPlanName"] = p.Name,
            };
            Set(json, "CreatorRequestId", p.CreatorRequestId);
            return json;
        }, "BackupPlansList");
    }

    private RestJsonResponse CreateBackupSelection(AwsRequestContext request, RestJsonRequest r)
    {
        var plan = Plan(request, r.PathValue("backupPlanId"));
        var selection = r.Body["BackupSelection"] as JsonObject ?? throw MissingParameter("BackupSelection");
        var name = String(selection, "SelectionName") ?? throw MissingParameter("SelectionName");
        if (!SelectionNamePattern().IsMatch(name))
        {
            throw InvalidParameter($"Invalid selection name {name}: use 1 to 50 letters, digits, hyphens, underscores and periods.");
        }

        var role = String(selection, "IamRoleArn") ?? throw MissingParameter("IamRoleArn");
        CheckRoleArn(role);
        if (!RoleExists(request, role))
        {
            // AWS checks the selection's role by calling tag:GetResources as the role; a role that
            // does not exist (or lacks the permission) gets this answer, as public reports show it
            // (terraform aws_backup_selection failures: ERROR_3018, the role ARN as Context).
            var message = $"IAM Role {role} is not authorized to call tag:GetResources";
            throw new AwsServiceException("InvalidParameterValueException", message) { Details = ErrorDetails("ERROR_3018", message, role) };
        }
        foreach (var resource in (selection["Resources"] as JsonArray ?? []).Concat(selection["NotResources"] as JsonArray ?? []))
        {
            var arn = resource?.GetValue<string>() ?? string.Empty;
            if (arn != "*" && !arn.StartsWith("arn:aws:", StringComparison.Ordinal))
            {
                throw InvalidParameter($"Invalid resource ARN {arn} in the selection.");
            }
        }

        var creatorRequestId = String(r.Body, "CreatorRequestId");
        var stored = new BackupSelection
        {
            Account = request.Account,
            Region = request.Region,
            Id = Guid.NewGuid().ToString("D"),
            PlanId = plan.Id,
            CreationDate = Runtime.Clock.Now,
            CreatorRequestId = creatorRequestId,
            Selection = (JsonObject)selection.DeepClone(),
        };
        _state.Selections.Add(stored);
        return RestJsonResponse.Ok(new JsonObject { ["SelectionId"] = stored.Id, ["BackupPlanId"] = plan.Id, ["CreationDate"] = Epoch(stored.CreationDate) });
    }

    private RestJsonResponse GetBackupSelection(AwsRequestContext request, RestJsonRequest r)
    {
        var plan = Plan(request, r.PathValue("backupPlanId"));
        var id = r.PathValue("selectionId");
        var selection = _state.Selections.FirstOrDefault(s => s.PlanId == plan.Id && s.Id == id)
            ?? throw NotFound($"Backup selection {id} does not exist in plan {plan.Id}.", plan.Arn);
        var json = new JsonObject
        {
            ["BackupSelection"] = selection.Selection.DeepClone(),
            ["SelectionId"] = selection.Id,
            ["BackupPlanId"] = plan.Id,
            ["CreationDate"] = Epoch(selection.CreationDate),
        };
        Set(json, "CreatorRequestId", selection.CreatorRequestId);
        return RestJsonResponse.Ok(json);
    }

    private RestJsonResponse ListBackupSelections(AwsRequestContext request, RestJsonRequest r)
    {
        var plan = Plan(request, r.PathValue("backupPlanId"));
        var selections = _state.Selections.Where(s => s.PlanId == plan.Id).OrderBy(s => s.CreationDate).ToList();
        return Page(r, selections, s =>
        {
            var json = new JsonObject
            {
                ["SelectionId"] = s.Id,
                ["SelectionName"] = String(s.Selection, "SelectionName"),
                ["BackupPlanId"] = plan.Id,
                ["CreationDate"] = Epoch(s.CreationDate),
                ["IamRoleArn"] = String(s.Selection, "IamRoleArn"),
            };
            Set(json, "CreatorRequestId", s.CreatorRequestId);
            return json;
        }, "BackupSelectionsList");
    }

    private string PlanName(JsonObject input)
    {
        var name = String(input, "BackupPlanName") ?? throw MissingParameter("BackupPlanName");
        return PlanNamePattern().IsMatch(name) ? name : throw InvalidParameter($"Invalid backup plan name {name}.");
    }

    /// <summary>The plan's rules as AWS stores them: defaults filled in, a RuleId each (kept for a rule of the same name on update).</summary>
    private JsonArray Rules(AwsRequestContext request, JsonObject input, JsonArray? previous)
    {
        var rules = input["Rules"] as JsonArray ?? throw MissingParameter("Rules");
        if (rules.Count == 0)
        {
            throw InvalidParameter("A backup plan needs at least one rule.");
        }

        var result = new JsonArray();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var rule in rules.OfType<JsonObject>())
        {
            var name = String(rule, "RuleName") ?? throw MissingParameter("RuleName");
            if (!names.Add(name))
            {
                throw InvalidParameter($"Rule names must be unique within a plan: {name} is repeated.");
            }

            var vaultName = String(rule, "TargetBackupVaultName") ?? throw MissingParameter("TargetBackupVaultName");
            if (_state.FindVault(request.Account, request.Region, vaultName) is null)
            {
                throw InvalidParameter($"Backup vault {vaultName} does not exist.");
            }

            CheckLifecycle(rule["Lifecycle"] as JsonObject);
            foreach (var copy in (rule["CopyActions"] as JsonArray ?? []).OfType<JsonObject>())
            {
                var destination = String(copy, "DestinationBackupVaultArn") ?? throw MissingParameter("DestinationBackupVaultArn");
                if (!VaultArnPattern().IsMatch(destination))
                {
                    throw InvalidParameter($"Invalid destination backup vault ARN {destination}.");
                }

                CheckLifecycle(copy["Lifecycle"] as JsonObject);
            }

            var stored = (JsonObject)rule.DeepClone();
            stored["ScheduleExpression"] ??= "cron(0 5 ? * * *)";
            stored["StartWindowMinutes"] ??= 480;
            stored["CompletionWindowMinutes"] ??= 10080;
            stored["ScheduleExpressionTimezone"] ??= "Etc/UTC";
            stored["EnableContinuousBackup"] ??= false;
            stored["RuleId"] = previous?.OfType<JsonObject>().FirstOrDefault(p => String(p, "RuleName") == name)?["RuleId"]?.GetValue<string>()
                ?? Guid.NewGuid().ToString("D");
            result.Add(stored);
        }

        return result;
    }

    private static void CheckLifecycle(JsonObject? lifecycle)
    {
        if (lifecycle is null)
        {
            return;
        }

        var deleteAfter = lifecycle["DeleteAfterDays"]?.GetValue<long>();
        var coldAfter = lifecycle["MoveToColdStorageAfterDays"]?.GetValue<long>();
        if (deleteAfter is < 1)
        {
            throw InvalidParameter("DeleteAfterDays must be at least 1.");
        }

        // Recovery points stay in cold storage at least 90 days.
        if (deleteAfter is not null && coldAfter is not null && deleteAfter < coldAfter + 90)
        {
            throw InvalidParameter("Invalid lifecycle: DeleteAfterDays must be at least 90 days greater than MoveToColdStorageAfterDays.");
        }
    }

    private static JsonObject PlanSummary(BackupPlan plan, DateTimeOffset date)
    {
        var json = new JsonObject
        {
            ["BackupPlanId"] = plan.Id,
            ["BackupPlanArn"] = plan.Arn,
            ["CreationDate"] = Epoch(date),
            ["VersionId"] = plan.VersionId,
        };
        if (plan.AdvancedBackupSettings is not null)
        {
            json["AdvancedBackupSettings"] = plan.AdvancedBackupSettings.DeepClone();
        }

        return json;
    }

    // ---- Global settings ---------------------------------------------------------------------------------

    private RestJsonResponse DescribeGlobalSettings(AwsRequestContext request, RestJsonRequest r)
    {
        // The caller's own organization's settings.
        var organization = OrganizationOf(request);

        var json = new JsonObject
        {
            ["GlobalSettings"] = new JsonObject
            {
                ["isCrossAccountBackupEnabled"] = organization.CrossAccountBackupEnabled ? "true" : "false",
                ["isMpaEnabled"] = "false",
                ["isDelegatedAdministratorEnabled"] = "false",
            },
        };
        if (organization.GlobalSettingsUpdated is { } updated)
        {
            json["LastUpdateTime"] = Epoch(updated);
        }

        return RestJsonResponse.Ok(json);
    }

    private RestJsonResponse UpdateGlobalSettings(AwsRequestContext request, RestJsonRequest r)
    {
        var settings = r.Body["GlobalSettings"] as JsonObject ?? throw MissingParameter("GlobalSettings");
        var organization = OrganizationOf(request);

        // AWS does not document the refusal for a member account; the model's InvalidRequestException,
        // with a message that says who can make the change.
        if (request.Account != organization.ManagementAccount)
        {
            throw InvalidRequest(
                $"Only the management account of the organization ({organization.ManagementAccount}) can update the global settings; account {request.Account} is a member account.");
        }

        foreach (var (name, value) in settings)
        {
            var text = value?.GetValue<string>();
            if (name != "isCrossAccountBackupEnabled")
            {
                throw InvalidParameter($"The sandbox does not model the global setting {name}.");
            }

            organization.CrossAccountBackupEnabled = text switch
            {
                "true" => true,
                "false" => false,
                _ => throw InvalidParameter($"Invalid value {text} for {name}: use true or false."),
            };
        }

        organization.GlobalSettingsUpdated = Runtime.Clock.Now;
        return RestJsonResponse.Ok(null);
    }

    /// <summary>
    /// The caller's organization. Outside one, what AWS answers (seen in the wild, e.g.
    /// cloudquery/cq-provider-aws issue 817): HTTP 400 with the code ERROR_9601, which is in no
    /// model, so clients must treat it as an unmodelled error.
    /// </summary>
    private SandboxOrganization OrganizationOf(AwsRequestContext request) =>
        Runtime.Organizations.Of(request.Account)
            ?? throw new AwsServiceException("ERROR_9601", "Your account is not a member of an organization.")
            {
                Details = ErrorDetails("ERROR_9601", "Your account is not a member of an organization."),
            };

    // ---- Jobs ----------------------------------------------------------------------------------------------

    private RestJsonResponse StartBackupJob(AwsRequestContext request, RestJsonRequest r)
    {
        var vault = Vault(request, String(r.Body, "BackupVaultName") ?? throw MissingParameter("BackupVaultName"));
        var resourceArn = String(r.Body, "ResourceArn") ?? throw MissingParameter("ResourceArn");
        var role = String(r.Body, "IamRoleArn") ?? throw MissingParameter("IamRoleArn");
        CheckRoleArn(role);
        RequireRoleForJob(request, role);
        if (!resourceArn.StartsWith("arn:aws:rds:", StringComparison.Ordinal) || !resourceArn.Contains(":cluster:", StringComparison.Ordinal))
        {
            throw InvalidParameter($"Invalid resource ARN {resourceArn}: the sandbox backs up Aurora clusters, named by their cluster ARN.");
        }

        var cluster = _rds.FindCluster(request.Account, request.Region, resourceArn)
            ?? throw NotFound($"Resource {resourceArn} was not found.", resourceArn);
        var token = String(r.Body, "IdempotencyToken");
        if (token is not null && _state.BackupJobs.FirstOrDefault(j => j.Account == request.Account && j.IdempotencyToken == token) is { } repeated)
        {
            return RestJsonResponse.Ok(new JsonObject
            {
                ["BackupJobId"] = repeated.Id,
                ["RecoveryPointArn"] = repeated.RecoveryPointArn,
                ["CreationDate"] = Epoch(repeated.CreationDate),
                ["IsParent"] = false,
            });
        }

        var now = Runtime.Clock.Now;
        var outcome = Runtime.Faults.TakeAsyncOutcome("backup", "StartBackupJob") switch
        {
            FaultKind.FailAsync => "fail",
            FaultKind.HangAsync => "hang",
            _ => cluster.Status == "available" ? "succeed" : "fail",
        };
        var id = Guid.NewGuid().ToString("D").ToUpperInvariant();
        var lifecycle = r.Body["Lifecycle"]?.DeepClone() as JsonObject;
        CheckLifecycle(lifecycle);
        var size = 1_073_741_824L + (cluster.Writes.Count * 4096L);
        var point = new RecoveryPoint
        {
            Account = request.Account,
            Region = request.Region,
            Arn = $"arn:aws:rds:{request.Region}:{request.Account}:cluster-snapshot:awsbackup:job-{id.ToLowerInvariant()}",
            VaultName = vault.Name,
            ResourceArn = cluster.Arn,
            ResourceName = cluster.Identifier,

            // Aurora is not fully managed by AWS Backup: the snapshot keeps the cluster's own key.
            EncryptionKeyArn = cluster.StorageEncrypted ? cluster.KmsKeyId : null,
            IamRoleArn = role,
            CreationDate = now,
            Lifecycle = lifecycle,
            BackupSizeInBytes = size,
            Tags = StringMap(r.Body, "RecoveryPointTags"),
        };
        var job = new BackupJob
        {
            Account = request.Account,
            Region = request.Region,
            Id = id,
            VaultName = vault.Name,
            VaultArn = vault.Arn,
            ResourceArn = cluster.Arn,
            ResourceName = cluster.Identifier,
            RecoveryPointArn = point.Arn,
            IamRoleArn = role,
            EncryptionKeyArn = point.EncryptionKeyArn,
            CreationDate = now,
            DueAt = now + BackupState.BackupJobDuration,
            Outcome = outcome,
            Lifecycle = lifecycle,
            BackupSizeInBytes = size,
            IdempotencyToken = token,
            StatusMessage = cluster.Status == "available" ? null : $"The DB cluster {cluster.Identifier} is not available (status {cluster.Status}).",
        };
        _state.RecoveryPoints.Add(point);
        _state.BackupJobs.Add(job);
        return RestJsonResponse.Ok(new JsonObject
        {
            ["BackupJobId"] = job.Id,
            ["RecoveryPointArn"] = point.Arn,
            ["CreationDate"] = Epoch(now),
            ["IsParent"] = false,
        });
    }

    private RestJsonResponse DescribeBackupJob(AwsRequestContext request, RestJsonRequest r)
    {
        var id = r.PathValue("backupJobId");
        var job = _state.BackupJobs.FirstOrDefault(j => j.Account == request.Account && j.Region == request.Region && j.Id == id)
            ?? throw NotFound($"Backup job {id} does not exist.", id);
        var json = new JsonObject
        {
            ["AccountId"] = job.Account,
            ["BackupJobId"] = job.Id,
            ["BackupVaultName"] = job.VaultName,
            ["BackupVaultArn"] = job.VaultArn,
            ["VaultType"] = "BACKUP_VAULT",
            ["RecoveryPointArn"] = job.RecoveryPointArn,
            ["IsEncrypted"] = job.EncryptionKeyArn is not null,
            ["ResourceArn"] = job.ResourceArn,
            ["CreationDate"] = Epoch(job.CreationDate),
            ["State"] = job.State,
            ["PercentDone"] = job.State == "COMPLETED" ? "100.0" : "0.0",
            ["BackupSizeInBytes"] = job.BackupSizeInBytes,
            ["IamRoleArn"] = job.IamRoleArn,
            ["ResourceType"] = "Aurora",
            ["ExpectedCompletionDate"] = Epoch(job.DueAt),
            ["StartBy"] = Epoch(job.CreationDate.AddHours(8)),
            ["BackupType"] = "SNAPSHOT",
            ["IsParent"] = false,
            ["ResourceName"] = job.ResourceName,
            ["InitiationDate"] = Epoch(job.CreationDate),
        };
        Set(json, "EncryptionKeyArn", job.EncryptionKeyArn);
        Set(json, "StatusMessage", job.State == "FAILED" ? job.StatusMessage : null);
        if (job.CompletionDate is { } completed)
        {
            json["CompletionDate"] = Epoch(completed);
        }

        if (job.Lifecycle is not null)
        {
            json["RecoveryPointLifecycle"] = job.Lifecycle.DeepClone();
        }

        return RestJsonResponse.Ok(json);
    }

    private RestJsonResponse StartCopyJob(AwsRequestContext request, RestJsonRequest r)
    {
        var pointArn = String(r.Body, "RecoveryPointArn") ?? throw MissingParameter("RecoveryPointArn");
        var sourceVault = Vault(request, String(r.Body, "SourceBackupVaultName") ?? throw MissingParameter("SourceBackupVaultName"));
        var destinationArn = String(r.Body, "DestinationBackupVaultArn") ?? throw MissingParameter("DestinationBackupVaultArn");
        var role = String(r.Body, "IamRoleArn") ?? throw MissingParameter("IamRoleArn");
        CheckRoleArn(role);
        RequireRoleForJob(request, role);
        if (!VaultArnPattern().IsMatch(destinationArn))
        {
            throw InvalidParameter($"Invalid destination backup vault ARN {destinationArn}.");
        }

        var point = _state.RecoveryPoints.FirstOrDefault(p => p.Arn == pointArn && p.Account == request.Account && p.Region == request.Region && p.VaultName == sourceVault.Name)
            ?? throw NotFound($"Recovery point {pointArn} does not exist in backup vault {sourceVault.Name}.", pointArn);
        if (point.Status != "COMPLETED")
        {
            throw InvalidRequest($"Recovery point {pointArn} is not completed (status {point.Status}) and cannot be copied yet.");
        }

        var token = String(r.Body, "IdempotencyToken");
        if (token is not null && _state.CopyJobs.FirstOrDefault(j => j.Account == request.Account && j.IdempotencyToken == token) is { } repeated)
        {
            return RestJsonResponse.Ok(new JsonObject { ["CopyJobId"] = repeated.Id, ["CreationDate"] = Epoch(repeated.CreationDate), ["IsParent"] = false });
        }

        var lifecycle = r.Body["Lifecycle"]?.DeepClone() as JsonObject;
        CheckLifecycle(lifecycle);
        var now = Runtime.Clock.Now;
        var job = new CopyJob
        {
            Account = request.Account,
            Region = request.Region,
            Id = Guid.NewGuid().ToString("D").ToUpperInvariant(),
            SourceBackupVaultArn = sourceVault.Arn,
            SourceRecoveryPointArn = point.Arn,
            DestinationBackupVaultArn = destinationArn,
            ResourceArn = point.ResourceArn,
            ResourceName = point.ResourceName,
            IamRoleArn = role,
            CreationDate = now,
            DueAt = now + BackupState.CopyJobDuration,
            Outcome = Runtime.Faults.TakeAsyncOutcome("backup", "StartCopyJob") switch
            {
                FaultKind.FailAsync => "fail",
                FaultKind.HangAsync => "hang",
                _ => "succeed",
            },
            Lifecycle = lifecycle,
            BackupSizeInBytes = point.BackupSizeInBytes,
            IdempotencyToken = token,
        };
        _state.CopyJobs.Add(job);
        return RestJsonResponse.Ok(new JsonObject { ["CopyJobId"] = job.Id, ["CreationDate"] = Epoch(now), ["IsParent"] = false });
    }

    private RestJsonResponse DescribeCopyJob(AwsRequestContext request, RestJsonRequest r)
    {
        var id = r.PathValue("copyJobId");
        var job = _state.CopyJobs.FirstOrDefault(j => j.Account == request.Account && j.Region == request.Region && j.Id == id)
            ?? throw NotFound($"Copy job {id} does not exist.", id);
        return RestJsonResponse.Ok(new JsonObject { ["CopyJob"] = CopyJobJson(job) });
    }

    private RestJsonResponse ListCopyJobs(AwsRequestContext request, RestJsonRequest r)
    {
        var resourceArn = r.Query["resourceArn"].ToString();
        var state = r.Query["state"].ToString();
        var destination = r.Query["destinationVaultArn"].ToString();
        var jobs = _state.CopyJobs
            .Where(j => j.Account == request.Account && j.Region == request.Region)
            .Where(j => resourceArn.Length == 0 || j.ResourceArn == resourceArn)
            .Where(j => state.Length == 0 || j.State == state)
            .Where(j => destination.Length == 0 || j.DestinationBackupVaultArn == destination)
            .OrderByDescending(j => j.CreationDate)
            .ToList();
        return Page(r, jobs, CopyJobJson, "CopyJobs");
    }

    private static JsonObject CopyJobJson(CopyJob job)
    {
        var json = new JsonObject
        {
            ["AccountId"] = job.Account,
            ["CopyJobId"] = job.Id,
            ["SourceBackupVaultArn"] = job.SourceBackupVaultArn,
            ["SourceRecoveryPointArn"] = job.SourceRecoveryPointArn,
            ["DestinationBackupVaultArn"] = job.DestinationBackupVaultArn,
            ["DestinationVaultType"] = "BACKUP_VAULT",
            ["ResourceArn"] = job.ResourceArn,
            ["CreationDate"] = Epoch(job.CreationDate),
            ["State"] = job.State,
            ["BackupSizeInBytes"] = job.BackupSizeInBytes,
            ["IamRoleArn"] = job.IamRoleArn,
            ["ResourceType"] = "Aurora",
            ["IsParent"] = false,
            ["ResourceName"] = job.ResourceName,
        };
        Set(json, "DestinationRecoveryPointArn", job.DestinationRecoveryPointArn);
        Set(json, "DestinationEncryptionKeyArn", job.DestinationEncryptionKeyArn);
        Set(json, "StatusMessage", job.StatusMessage);
        if (job.CompletionDate is { } completed)
        {
            json["CompletionDate"] = Epoch(completed);
        }

        if (job.Lifecycle is not null)
        {
            json["DestinationRecoveryPointLifecycle"] = job.Lifecycle.DeepClone();
        }

        return json;
    }

    // ---- Tags ------------------------------------------------------------------------------------------------

    private RestJsonResponse TagResource(AwsRequestContext request, RestJsonRequest r)
    {
        var tags = TagsOf(request, r.PathValue("resourceArn"));
        var added = r.Body["Tags"] as JsonObject ?? throw MissingParameter("Tags");
        foreach (var (key, value) in added)
        {
            if (key.StartsWith("aws:", StringComparison.OrdinalIgnoreCase))
            {
                throw InvalidParameter("Tag keys beginning with aws: are reserved for AWS use.");
            }

            tags[key] = value?.GetValue<string>() ?? string.Empty;
        }

        if (tags.Count > 50)
        {
            throw new AwsServiceException("LimitExceededException", "A resource can have at most 50 tags.") { Details = ErrorDetails("LimitExceededException", "A resource can have at most 50 tags.") };
        }

        return RestJsonResponse.Ok(null);
    }

    private RestJsonResponse ListTags(AwsRequestContext request, RestJsonRequest r)
    {
        var tags = TagsOf(request, r.PathValue("resourceArn"));
        var map = new JsonObject();
        foreach (var (key, value) in tags.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            map[key] = value;
        }

        return RestJsonResponse.Ok(new JsonObject { ["Tags"] = map });
    }

    private Dictionary<string, string> TagsOf(AwsRequestContext request, string arn)
    {
        var parts = arn.Split(':');
        if (parts.Length < 7 || parts[4] != request.Account || parts[3] != request.Region)
        {
            throw NotFound($"Resource {arn} was not found.", arn);
        }

        return parts[2] switch
        {
            "backup" when parts[5] == "backup-vault" => _state.FindVault(request.Account, request.Region, parts[6])?.Tags,
            "backup" when parts[5] == "backup-plan" => _state.Plans.FirstOrDefault(p => p.Arn == arn)?.Tags,
            "rds" => _state.RecoveryPoints.FirstOrDefault(p => p.Arn == arn)?.Tags,
            _ => null,
        } ?? throw NotFound($"Resource {arn} was not found.", arn);
    }

    // ---- Helpers -----------------------------------------------------------------------------------------------

    private BackupVault Vault(AwsRequestContext request, string name, string? accountId = null)
    {
        // Another account's vault is not visible here (that needs RAM sharing, which the sandbox does not model).
        if (!string.IsNullOrEmpty(accountId) && accountId != request.Account)
        {
            throw NotFound($"Backup vault {name} in account {accountId} is not accessible from account {request.Account}.", name);
        }

        return _state.FindVault(request.Account, request.Region, name)
            ?? throw NotFound($"Backup vault {name} does not exist in account {request.Account} ({request.Region}).", $"arn:aws:backup:{request.Region}:{request.Account}:backup-vault:{name}");
    }

    private BackupPlan Plan(AwsRequestContext request, string id) =>
        _state.Plans.FirstOrDefault(p => p.Account == request.Account && p.Region == request.Region && p.Id == id)
            ?? throw NotFound($"Backup plan {id} does not exist.", id);

    /// <summary>The role exists in the caller's own account (AWS Backup passes roles of the account it works in).</summary>
    private bool RoleExists(AwsRequestContext request, string roleArn) =>
        _roles.FindByArn(roleArn) is { } role && role.Account == request.Account;

    /// <summary>
    /// StartBackupJob and StartCopyJob with a role that does not exist. AWS does not document
    /// when it notices: it may accept the job and fail it when it cannot assume the role. The
    /// sandbox refuses at once with the model's InvalidParameterValueException, so a missing
    /// service role can never pass a rehearsal; the wording is the sandbox's.
    /// </summary>
    private void RequireRoleForJob(AwsRequestContext request, string roleArn)
    {
        if (!RoleExists(request, roleArn))
        {
            throw InvalidParameter($"IAM Role {roleArn} cannot be assumed by AWS Backup: no such role in account {request.Account}.");
        }
    }

    private static void CheckRoleArn(string role)
    {
        if (!RoleArnPattern().IsMatch(role))
        {
            throw InvalidParameter($"Invalid IAM role ARN {role}.");
        }
    }

    private static RestJsonResponse Page<T>(RestJsonRequest r, IReadOnlyList<T> items, Func<T, JsonObject> render, string listName)
    {
        var max = 1000;
        if (r.Query["maxResults"].ToString() is { Length: > 0 } maxText)
        {
            max = int.TryParse(maxText, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed is >= 1 and <= 1000
                ? parsed
                : throw InvalidParameter($"Invalid maxResults {maxText}: use 1 to 1000.");
        }

        var start = 0;
        if (r.Query["nextToken"].ToString() is { Length: > 0 } token)
        {
            try
            {
                start = int.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(token)), NumberStyles.None, CultureInfo.InvariantCulture);
            }
            catch (FormatException)
            {
                throw InvalidParameter("Invalid nextToken.");
            }
        }

        var json = new JsonObject { [listName] = new JsonArray([.. items.Skip(start).Take(max).Select(render)]) };
        if (start + max < items.Count)
        {
            json["NextToken"] = Convert.ToBase64String(Encoding.UTF8.GetBytes((start + max).ToString(CultureInfo.InvariantCulture)));
        }

        return RestJsonResponse.Ok(json);
    }

    private static DateTimeOffset? QueryTime(RestJsonRequest r, string name)
    {
        var text = r.Query[name].ToString();
        if (text.Length == 0)
        {
            return null;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            return DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000));
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time
            : throw InvalidParameter($"Invalid timestamp {text} for {name}.");
    }

    private static Dictionary<string, string> StringMap(JsonObject body, string name) =>
        body[name] is JsonObject map ? map.ToDictionary(p => p.Key, p => p.Value?.GetValue<string>() ?? string.Empty, StringComparer.Ordinal) : [];

    private static string? String(JsonObject body, string name)
    {
        try
        {
            return body[name]?.GetValue<string>();
        }
        catch (InvalidOperationException)
        {
            throw InvalidParameter($"{name} must be a string.");
        }
    }

    private static void Set(JsonObject json, string name, string? value)
    {
        if (value is not null)
        {
            json[name] = value;
        }
    }

    internal static JsonValue Epoch(DateTimeOffset time) => JsonValue.Create(time.ToUnixTimeMilliseconds() / 1000.0);

    private static string NewVersionId() =>
        Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(33)).Replace('+', '-').Replace('/', '_');

    // Backup's error shapes carry Code, Message, Type (and Context) besides the header.
    private static JsonObject ErrorDetails(string code, string message, string? context = null)
    {
        var details = new JsonObject { ["Code"] = code, ["Message"] = message, ["Type"] = "User" };
        if (context is not null)
        {
            details["Context"] = context;
        }

        return details;
    }

    private static AwsServiceException InvalidParameter(string message) =>
        new("InvalidParameterValueException", message) { Details = ErrorDetails("InvalidParameterValueException", message) };

    private static AwsServiceException MissingParameter(string name) =>
        new("MissingParameterValueException", $"Missing required parameter {name}.") { Details = ErrorDetails("MissingParameterValueException", $"Missing required parameter {name}.") };

    private static AwsServiceException InvalidRequest(string message) =>
        new("InvalidRequestException", message) { Details = ErrorDetails("InvalidRequestException", message) };

    private static AwsServiceException NotFound(string message, string context) =>
        new("ResourceNotFoundException", message) { Details = ErrorDetails("ResourceNotFoundException", message, context) };

    [GeneratedRegex("^[a-zA-Z0-9\\-_]{2,50}$")]
    private static partial Regex VaultNamePattern();

    [GeneratedRegex("^[a-zA-Z0-9\\-_.]{1,50}$")]
    private static partial Regex PlanNamePattern();

    [GeneratedRegex("^[a-zA-Z0-9\\-_.]{1,50}$")]
    private static partial Regex SelectionNamePattern();

    [GeneratedRegex("^arn:aws:backup:[a-z0-9-]+:[0-9]{12}:backup-vault:[a-zA-Z0-9\\-_]{2,50}$")]
    private static partial Regex VaultArnPattern();

    [GeneratedRegex("^arn:aws:iam::[0-9]{12}:role/[\\w+=,.@/-]{1,512}$")]
    private static partial Regex RoleArnPattern();
}
