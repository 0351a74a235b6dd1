using System.Text.Json.Nodes;
using Rekey.Iam;
using Rekey.SandboxRehearsal;
using Rekey.Sandbox.Core;

namespace Rekey.Workflows.Tests;

/// <summary>
/// The generated roles judged by @cloud-copilot/iam-simulate: every call the dispatched jobs made (both strategies'
/// cutovers, rollbacks, the backup, the cleanup, the dress rehearsal) is allowed by the role it ran under, and
/// changes to anything else in the accounts are refused; for the cluster-scoped roles and the fleet's tag-scoped ones.
/// </summary>
public sealed partial class WorkflowCommandsAgainstSandboxTests
{
    private const string Region = SandboxDispatch.Region;
    private const string Account = SampleAccount.Account;
    private const string BackupAccount = SandboxDispatch.BackupAccount;

    [Fact]
    public async Task Every_recorded_call_of_every_job_is_allowed_by_its_cluster_scoped_role_as_an_outside_iam_evaluator_judges_it()
    {
        var verdicts = await EvaluateRecordedCallsAsync(cluster => cluster == SandboxDispatch.SecondCluster ? dispatch.SecondClusterRoles : dispatch.Roles);

        var refused = verdicts.Where(v => v.Decision != "Allowed").Select(v => $"{v.Id} {v.Action}: {v.Decision} ({v.Detail})").Distinct().ToList();
        output.WriteLine($"cluster-scoped roles: {verdicts.Count} IAM requests evaluated from {dispatch.JobRecords.Sum(j => j.Calls.Count)} recorded calls, {refused.Count} refused");
        Assert.True(refused.Count == 0, string.Join("\n", refused));
    }

    [Fact]
    public async Task Every_recorded_call_of_every_job_is_allowed_by_the_fleets_tag_scoped_role_as_an_outside_iam_evaluator_judges_it()
    {
        var verdicts = await EvaluateRecordedCallsAsync(_ => dispatch.FleetRoles);

        var refused = verdicts.Where(v => v.Decision != "Allowed").Select(v => $"{v.Id} {v.Action}: {v.Decision} ({v.Detail})").Distinct().ToList();
        output.WriteLine($"fleet roles: {verdicts.Count} IAM requests evaluated from {dispatch.JobRecords.Sum(j => j.Calls.Count)} recorded calls, {refused.Count} refused");
        Assert.True(refused.Count == 0, string.Join("\n", refused));
    }

    [Fact]
    public void The_recorded_calls_cover_both_strategies_rollback_backup_cleanup_and_the_dress_rehearsal_with_what_iam_evaluates()
    {
        var calls = dispatch.JobRecords.SelectMany(j => j.Calls).ToList();
        foreach (var operation in new[] { "RestoreDBClusterToPointInTime", "CreateBlueGreenDeployment", "SwitchoverBlueGreenDeployment", "DeleteDBCluster", "StartCopyJob", "PutBackupVaultAccessPolicy", "ModifyDBCluster", "AddTagsToResource" })
        {
            Assert.Contains(calls, c => c.Operation == operation);
        }

        Assert.Contains(dispatch.JobRecords, j => j.Job == "dress-rehearsal" && j.Calls.Any(c => c.Operation == "DeleteDBCluster"));
        Assert.Contains(dispatch.JobRecords, j => j.Job == "rollback" && j.Calls.Count > 0);
        Assert.Contains(dispatch.JobRecords, j => j.Job == "cleanup" && j.Calls.Count > 0);

        // What IAM evaluates is recorded: the renamed cluster's ARN with its tags, and green created under an invented name.
        var restore = calls.First(c => c.Operation == "RestoreDBClusterToPointInTime");
        Assert.Contains(restore.Resources!, r => r.Arn.EndsWith(":cluster:orders-old", StringComparison.Ordinal) && r.Tags.ContainsKey("rekey:role"));
        Assert.Contains(restore.Resources!, r => r.Arn.EndsWith(":cluster:orders", StringComparison.Ordinal) && r.Use == CallResourceUse.Created);
        var create = calls.First(c => c.Operation == "CreateBlueGreenDeployment");
        Assert.Contains(create.Resources!, r => r.Use == CallResourceUse.CreatedByService && r.Arn.Contains(":cluster:", StringComparison.Ordinal));
        Assert.Equal("orders", create.RequestTags!["rekey:original-id"]);
        Assert.All(calls, c => Assert.Contains(":assumed-role/rekey-prod-", c.Principal, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Changes_to_any_other_cluster_instance_snapshot_deployment_key_or_vault_are_refused_by_the_cluster_scoped_roles()
    {
        var denials = await EvaluateDenialsAsync(dispatch.Roles, fleet: false);

        output.WriteLine($"cluster-scoped roles: {denials.Count} denials proven");
        Assert.True(denials.Count > 300, $"Only {denials.Count} of the changes were evaluated.");
        var allowed = denials.Where(v => v.Decision is not ("ImplicitlyDenied" or "ExplicitlyDenied")).Select(v => $"{v.Id} {v.Action}: {v.Decision} ({v.Detail})").ToList();
        Assert.True(allowed.Count == 0, "Allowed, or not evaluated, though it must be refused:\n" + string.Join("\n", allowed));
    }

    [Fact]
    public async Task Changes_to_any_untagged_or_other_environments_resource_are_refused_by_the_fleets_tag_scoped_roles()
    {
        var denials = await EvaluateDenialsAsync(dispatch.FleetRoles, fleet: true);

        output.WriteLine($"fleet roles: {denials.Count} denials proven");
        Assert.True(denials.Count > 200, $"Only {denials.Count} of the changes were evaluated.");
        var allowed = denials.Where(v => v.Decision is not ("ImplicitlyDenied" or "ExplicitlyDenied")).Select(v => $"{v.Id} {v.Action}: {v.Decision} ({v.Detail})").ToList();
        Assert.True(allowed.Count == 0, "Allowed, or not evaluated, though it must be refused:\n" + string.Join("\n", allowed));
    }

    private async Task<IReadOnlyList<IamVerdict>> EvaluateRecordedCallsAsync(Func<string, IReadOnlyList<IamRole>> rolesFor)
    {
        var policies = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        var checks = new List<IamCheck>();
        foreach (var (job, cluster, calls) in dispatch.JobRecords)
        {
            var roles = rolesFor(cluster);
            foreach (var role in roles)
            {
                policies[$"{cluster}/{role.Name}"] = role.Policy.Document;
            }

            checks.AddRange(IamSimulator.ChecksOf(
                calls,
                call =>
                {
                    var roleName = call.Principal!.Split('/')[1];
                    var account = call.Account == BackupAccount ? PolicyAccount.Backup : PolicyAccount.Source;
                    var permission = roleName.EndsWith("-dress-rehearsal", StringComparison.Ordinal)
                        ? AwsOperationPermissions.FindForDressRehearsal(call.Service, call.Operation)
                        : AwsOperationPermissions.Find(call.Service, call.Operation, account);
                    return ($"{cluster}/{roleName}", permission);
                },
                arn => roles.FirstOrDefault(r => r.Arn == arn)?.Trust.Document));
        }

        Assert.NotEmpty(checks);
        return await IamSimulator.EvaluateAsync(policies, checks);
    }

    /// <summary>Calls that must be refused: every change to what is not the cluster's (or, for a fleet role, not tagged for the environment).</summary>
    private static async Task<IReadOnlyList<IamVerdict>> EvaluateDenialsAsync(IReadOnlyList<IamRole> roles, bool fleet)
    {
        var rds = $"arn:aws:rds:{Region}:{Account}";
        var kms = $"arn:aws:kms:{Region}:{Account}";
        // Another cluster of the account: untagged, or tagged for another environment; and names that only look like ours.
        var otherTags = fleet ? new Dictionary<string, string> { [IamPolicies.FleetTagKey] = "staging", ["rekey:original-id"] = "payments" } : new Dictionary<string, string> { ["team"] = "payments", ["rekey:original-id"] = "payments" };
        var targets = new List<(string Arn, Dictionary<string, string> Tags)>
        {
            ($"{rds}:cluster:payments", otherTags),
            ($"{rds}:cluster:payments-old", otherTags),
            ($"{rds}:cluster:payments-green-x7k2pq", otherTags),
            ($"{rds}:db:payments-1", otherTags),
            ($"{rds}:db:payments-1-green-abc123", otherTags),
            ($"{rds}:cluster-snapshot:payments-nightly", otherTags),
            ($"{rds}:cluster-endpoint:payments-readers", otherTags),
            ($"{rds}:deployment:bgd-0123456789abcdef", otherTags),
            ($"{rds}:cluster-pg:payments-params", otherTags),
        };
        if (!fleet)
        {
            // Names that start like the cluster's but are not its own.
            targets.Add(($"{rds}:cluster:orders-older-archive", []));
            targets.Add(($"{rds}:cluster:orders2", []));
            targets.Add(($"{rds}:db:orders-1-older", []));
        }

        string[] rdsChanges =
        [
            "rds:DeleteDBCluster", "rds:DeleteDBInstance", "rds:ModifyDBCluster", "rds:ModifyDBInstance", "rds:AddTagsToResource", "rds:RemoveTagsFromResource",
            "rds:FailoverDBCluster", "rds:RebootDBInstance", "rds:DeleteDBClusterEndpoint", "rds:DeleteDBClusterSnapshot", "rds:SwitchoverBlueGreenDeployment",
            "rds:DeleteBlueGreenDeployment", "rds:PromoteReadReplicaDBCluster", "rds:RestoreDBClusterToPointInTime", "rds:ModifyDBClusterParameterGroup",
            "rds:CreateDBClusterSnapshot", "rds:AddRoleToDBCluster", "rds:CreateDBClusterEndpoint",
        ];
        var checks = new List<IamCheck>();
        var policies = roles.ToDictionary(r => r.Name, r => r.Policy.Document, StringComparer.Ordinal);
        foreach (var role in roles.Where(r => r.Account == Account))
        {
            var principal = $"arn:aws:sts::{Account}:assumed-role/{role.Name}/rekey-4242";
            foreach (var (arn, tags) in targets)
            {
                // Naming a parameter group in a restore uses it without changing it.
                foreach (var action in rdsChanges.Where(a => !(arn.Contains(":cluster-pg:", StringComparison.Ordinal) && a == "rds:RestoreDBClusterToPointInTime")))
                {
                    var context = new JsonObject { ["aws:PrincipalAccount"] = Account };
                    foreach (var (key, value) in tags)
                    {
                        context[$"aws:ResourceTag/{key}"] = value;
                    }

                    checks.Add(new IamCheck($"{role.Name} {arn}", role.Name, principal, action, [new IamCheckResource(arn, Account, context)]));
                }
            }

            // Another key of the account, and the cluster's own key for what Rekey never does to it.
            var otherKey = $"{kms}:key/0b7c1d2e-3f40-4a5b-8c6d-7e8f90a1b2c3";
            foreach (var action in new[] { "kms:ScheduleKeyDeletion", "kms:PutKeyPolicy", "kms:DisableKey", "kms:TagResource", "kms:CreateGrant", "kms:EnableKeyRotation", "kms:CreateAlias" })
            {
                var context = new JsonObject { ["aws:PrincipalAccount"] = Account, ["kms:ResourceAliases"] = new JsonArray("alias/payments") };
                checks.Add(new IamCheck($"{role.Name} {otherKey}", role.Name, principal, action, [new IamCheckResource(otherKey, Account, context)]));
            }

            checks.Add(new IamCheck($"{role.Name} alias", role.Name, principal, "kms:DeleteAlias", [new IamCheckResource($"{kms}:alias/rekey-orders", Account, new JsonObject())]));

            // Another vault, another plan's recovery points, and the backup vault's own deletion.
            foreach (var (action, arn) in new[]
            {
                ("backup:DeleteBackupVault", $"arn:aws:backup:{Region}:{Account}:backup-vault:payments-vault"),
                ("backup:PutBackupVaultAccessPolicy", $"arn:aws:backup:{Region}:{Account}:backup-vault:payments-vault"),
                ("backup:StartBackupJob", $"arn:aws:backup:{Region}:{Account}:backup-vault:payments-vault"),
                ("backup:DeleteBackupVault", $"arn:aws:backup:{Region}:{Account}:backup-vault:{SandboxDispatch.BackupVault}"),
                ("backup:DeleteRecoveryPoint", $"arn:aws:backup:{Region}:{Account}:recovery-point:payments-point"),
                ("cloudwatch:DeleteAlarms", $"arn:aws:cloudwatch:{Region}:{Account}:alarm:payments-cpu-high"),
                ("cloudwatch:PutMetricAlarm", $"arn:aws:cloudwatch:{Region}:{Account}:alarm:payments-cpu-high"),
            })
            {
                checks.Add(new IamCheck($"{role.Name} {arn}", role.Name, principal, action, [new IamCheckResource(arn, Account, new JsonObject { ["aws:PrincipalAccount"] = Account })]));
            }
        }

        // The backup account's roles: another vault there.
        foreach (var role in roles.Where(r => r.Account == BackupAccount))
        {
            var principal = $"arn:aws:sts::{BackupAccount}:assumed-role/{role.Name}/rekey-4242";
            foreach (var action in new[] { "backup:PutBackupVaultAccessPolicy", "backup:DeleteBackupVault", "backup:DeleteBackupVaultAccessPolicy", "backup:CreateBackupVault" })
            {
                var arn = $"arn:aws:backup:{Region}:{BackupAccount}:backup-vault:payments-copies";
                checks.Add(new IamCheck($"{role.Name} {arn}", role.Name, principal, action, [new IamCheckResource(arn, BackupAccount, new JsonObject { ["aws:PrincipalAccount"] = BackupAccount })]));
            }

            var key = $"arn:aws:kms:{Region}:{BackupAccount}:key/1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f";
            foreach (var action in new[] { "kms:ScheduleKeyDeletion", "kms:PutKeyPolicy", "kms:DisableKey", "kms:CreateAlias", "kms:EnableKeyRotation" })
            {
                checks.Add(new IamCheck($"{role.Name} {key}", role.Name, principal, action, [new IamCheckResource(key, BackupAccount, new JsonObject { ["aws:PrincipalAccount"] = BackupAccount })]));
            }
        }

        // Every action against every target: the pairs whose resource type the action is not authorized on are no request at all.
        return [.. (await IamSimulator.EvaluateAsync(policies, checks)).Where(v => v.Decision != "NoResource")];
    }
}
