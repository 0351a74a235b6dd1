using System.Text.Json.Nodes;
using Rekey.Sandbox.Protocols;

namespace Rekey.Sandbox.Backup;

// Backup plans, their rules and selections.
public sealed partial class BackupService
{
    private void RegisterPlanOperations()
    {
        Register("PUT", "/backup/plans/", "CreateBackupPlan", mutating: true, CreateBackupPlan);
        Register("POST", "/backup/plans/{backupPlanId}", "UpdateBackupPlan", mutating: true, UpdateBackupPlan);
        Register("GET", "/backup/plans/{backupPlanId}/", "GetBackupPlan", mutating: false, GetBackupPlan);
        Register("GET", "/backup/plans/", "ListBackupPlans", mutating: false, ListBackupPlans);
        Register("PUT", "/backup/plans/{backupPlanId}/selections/", "CreateBackupSelection", mutating: true, CreateBackupSelection);
        Register("GET", "/backup/plans/{backupPlanId}/selections/{selectionId}", "GetBackupSelection", mutating: false, GetBackupSelection);
        Register("GET", "/backup/plans/{backupPlanId}/selections/", "ListBackupSelections", mutating: false, ListBackupSelections);
    }

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
}
