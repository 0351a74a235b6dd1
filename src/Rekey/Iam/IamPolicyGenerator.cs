using System.Text.Json.Nodes;
using Rekey.Backup;
using Rekey.Configuration;
using Rekey.Migration;

namespace Rekey.Iam;

/// <summary>A generated IAM document and the file it is written to.</summary>
public sealed record IamDocument(string FileName, string Description, JsonObject Document);

/// <summary>
/// One role of the set-up: where it lives, who may assume it, and what it may do (<c>Policy</c>: everything, as one
/// document; IAM evaluates the union of <see cref="PolicyParts"/>, which is the same).
/// </summary>
public sealed record IamRole(string Name, string Account, string Arn, IamDocument Trust, IamDocument Policy, string GitHubVariable, string GitHubEnvironment)
{
    /// <summary>
    /// <see cref="Policy"/> as the documents to create: itself when it fits a managed policy (6,144 characters),
    /// else its statements split in order into parts that each do; the role holds them all.
    /// </summary>
    public IReadOnlyList<IamDocument> PolicyParts { get; init; } = [Policy];
}

/// <summary>
/// Makes the IAM roles Rekey's workflows run with, from <see cref="AwsOperationPermissions"/> and the
/// cluster's own names: a read-only plan role and an approval-gated migration role assumed through
/// GitHub's OIDC provider, a dress rehearsal role in the plan environment that adds to the plan role's
/// reads only the changes to its throw-away copy, and in the backup account a role for each of the
/// first two that only they can assume.
/// Pure: no AWS call, same input, same documents.
/// </summary>
public static class IamPolicyGenerator
{
    public const string GitHubTokenIssuer = "token.actions.githubusercontent.com";
    public const string StsAudience = "sts.amazonaws.com";
    public const string PolicyVersion = "2012-10-17";

    /// <summary>The alias ConfigureBackup creates the backup account's vault key under.</summary>
    public const string VaultKeyAlias = Backup.BackupSetup.DefaultVaultKeyAlias;

    /// <summary>
    /// The tag an operator puts on every cluster, instance and custom endpoint of the environment that Rekey may
    /// migrate (value: the environment's name). A fleet role is scoped by it; Rekey carries it to what it creates
    /// (restored cluster, new instances, the dress rehearsal's copy) and Blue/Green copies it to green.
    /// </summary>
    public const string FleetTagKey = "rekey-environment";

    /// <summary>The services Rekey hands roles to: RDS (feature roles), Enhanced Monitoring, AWS Backup.</summary>
    public static readonly IReadOnlyList<string> PassRoleServices = ["rds.amazonaws.com", "monitoring.rds.amazonaws.com", "backup.amazonaws.com"];

    public static IReadOnlyList<IamRole> Generate(IamSetupInput input)
    {
        ArgumentNullException.ThrowIfNull(input);

        var planRoleArn = input.RoleArn(input.Account, input.PlanRoleName);
        var migrationRoleArn = input.RoleArn(input.Account, input.MigrationRoleName);
        var roles = new List<IamRole>
        {
            new(
                input.PlanRoleName,
                input.Account,
                planRoleArn,
                new IamDocument("plan-role-trust.json", "Trust policy of the read-only plan role", GitHubTrust(input, input.PlanEnvironment)),
                new IamDocument("plan-role-policy.json", "Permissions of the read-only plan role", Policy(input, PolicyAccount.Source, readOnly: true, input.BackupReaderRoleName)),
                "REKEY_PLAN_ROLE_ARN",
                input.PlanEnvironment),
            new(
                input.MigrationRoleName,
                input.Account,
                migrationRoleArn,
                new IamDocument("migration-role-trust.json", "Trust policy of the migration role", GitHubTrust(input, input.Environment)),
                new IamDocument("migration-role-policy.json", "Permissions of the migration role", Policy(input, PolicyAccount.Source, readOnly: false, input.BackupRoleName)),
                "REKEY_MIGRATION_ROLE_ARN",
                input.Environment),
            new(
                input.DressRehearsalRoleName,
                input.Account,
                input.RoleArn(input.Account, input.DressRehearsalRoleName),
                new IamDocument("dress-rehearsal-role-trust.json", "Trust policy of the dress rehearsal role (the plan environment, no approval)", GitHubTrust(input, input.PlanEnvironment)),
                new IamDocument(
                    "dress-rehearsal-role-policy.json",
                    "Permissions of the dress rehearsal role: the plan role's reads, and changes to its throw-away copy only",
                    DressRehearsalPolicy(input)),
                "REKEY_DRESS_REHEARSAL_ROLE_ARN",
                input.PlanEnvironment),
        };

        if (input.BackupAccount is { } backupAccount)
        {
            roles.Add(new IamRole(
                input.BackupRoleName,
                backupAccount,
                input.RoleArn(backupAccount, input.BackupRoleName),
                new IamDocument("backup-role-trust.json", "Trust policy of the backup account's role (assumed from the migration role)", RoleTrust(input, migrationRoleArn)),
                new IamDocument("backup-role-policy.json", "Permissions of the backup account's role", Policy(input, PolicyAccount.Backup, readOnly: false, backupRoleName: null)),
                "REKEY_BACKUP_ROLE_ARN",
                input.Environment));
            roles.Add(new IamRole(
                input.BackupReaderRoleName,
                backupAccount,
                input.RoleArn(backupAccount, input.BackupReaderRoleName),
                new IamDocument("backup-reader-role-trust.json", "Trust policy of the backup account's read-only role (assumed from the plan role)", RoleTrust(input, planRoleArn)),
                new IamDocument("backup-reader-role-policy.json", "Permissions of the backup account's read-only role", Policy(input, PolicyAccount.Backup, readOnly: true, backupRoleName: null)),
                "REKEY_BACKUP_ROLE_ARN",
                input.PlanEnvironment));
        }

        return [.. roles.Select(r => r with { PolicyParts = Split(r.Policy) })];
    }

    /// <summary>A permission document in parts that each fit a managed policy, statements kept whole and in order.</summary>
    public static IReadOnlyList<IamDocument> Split(IamDocument policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (IamPolicySizes.CharactersOf(policy) <= IamPolicySizes.ManagedPolicy)
        {
            return [policy];
        }

        var envelope = new JsonObject { ["Version"] = PolicyVersion, ["Statement"] = new JsonArray() }.ToJsonString().Length;
        var parts = new List<List<JsonNode>>();
        var current = new List<JsonNode>();
        var length = envelope;
        foreach (var statement in policy.Document["Statement"]!.AsArray())
        {
            var size = statement!.ToJsonString().Length + 1;
            if (current.Count > 0 && length + size > IamPolicySizes.ManagedPolicy)
            {
                parts.Add(current);
                current = [];
                length = envelope;
            }

            current.Add(statement.DeepClone());
            length += size;
        }

        parts.Add(current);
        var stem = Path.GetFileNameWithoutExtension(policy.FileName);
        return [.. parts.Select((statements, i) => new IamDocument(
            i == 0 ? policy.FileName : $"{stem}-{i + 1}.json",
            $"{policy.Description} (part {i + 1} of {parts.Count})",
            new JsonObject { ["Version"] = PolicyVersion, ["Statement"] = new JsonArray([.. statements]) }))];
    }

    /// <summary>
    /// Only a job of this repository, running in this GitHub environment, defined by Rekey's workflow file on its
    /// reviewed ref (the customized <c>sub</c> claim with job_workflow_ref), with a token meant for STS.
    /// </summary>
    public static JsonObject GitHubTrust(IamSetupInput input, string environment) =>
        Document(new JsonObject
        {
            ["Sid"] = "GitHubActionsEnvironment",
            ["Effect"] = "Allow",
            ["Principal"] = new JsonObject { ["Federated"] = input.OidcProviderArn },
            ["Action"] = "sts:AssumeRoleWithWebIdentity",
            ["Condition"] = new JsonObject
            {
                ["StringEquals"] = new JsonObject
                {
                    [$"{GitHubTokenIssuer}:aud"] = StsAudience,
                    [$"{GitHubTokenIssuer}:sub"] = Strings(input.WorkflowPaths.Select(w => input.Repository.WorkflowSubject(environment, w, input.WorkflowRef))),
                },
            },
        });

    /// <summary>The allowed actions of one role: the table's grants for its account, each on its scope's resources.</summary>
    public static JsonObject Policy(IamSetupInput input, PolicyAccount account, bool readOnly, string? backupRoleName)
    {
        var accountId = account == PolicyAccount.Backup ? input.BackupAccount ?? throw new ArgumentException("No backup account.", nameof(input)) : input.Account;
        var grants = AwsOperationPermissions.All
            .Where(p => p.Account == account && (p.ReadOnly || !readOnly) && p.ServesStrategy(input.Strategy))
            .Where(p => input.BackupAccount is not null || p.Service != "backup")
            .SelectMany(p => p.Grants);

        return Policy(input, grants, accountId, backupRoleName);
    }

    /// <summary>
    /// The dress rehearsal role: every read of the cluster's account the plan role has (no chain into the
    /// backup account), and <see cref="AwsOperationPermissions.DressRehearsal"/>'s changes to its copy.
    /// </summary>
    public static JsonObject DressRehearsalPolicy(IamSetupInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var grants = AwsOperationPermissions.All
            .Where(p => p.Account == PolicyAccount.Source && p.ReadOnly)
            .Where(p => input.BackupAccount is not null || p.Service != "backup")
            .Concat(AwsOperationPermissions.DressRehearsal)
            .SelectMany(p => p.Grants);

        return Policy(input, grants, input.Account, backupRoleName: null);
    }

    private static JsonObject Policy(IamSetupInput input, IEnumerable<IamGrant> grants, string accountId, string? backupRoleName)
    {
        // One statement per distinct resource list and condition: scopes that resolve alike (a fleet role's) share it.
        var statements = new JsonArray();
        var resolvedGrants = grants
            .GroupBy(g => g.Scope)
            .OrderBy(g => g.Key)
            .Select(g => (Scope: g.Key, Actions: g.Select(x => x.Action), Resolved: Resolve(input, g.Key, accountId, backupRoleName)))
            .Where(g => g.Resolved is not null)
            .GroupBy(g => string.Join('\n', g.Resolved!.Value.Resources) + "|" + g.Resolved!.Value.Condition?.ToJsonString(), StringComparer.Ordinal);
        foreach (var same in resolvedGrants)
        {
            var first = same.First();
            var resources = first.Resolved!.Value.Resources;
            var statement = new JsonObject
            {
                ["Sid"] = first.Scope.ToString(),
                ["Effect"] = "Allow",
                ["Action"] = Strings(same.SelectMany(g => g.Actions).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)),
                ["Resource"] = resources.Count == 1 ? resources[0] : Strings(resources),
            };
            if (first.Resolved!.Value.Condition is { } condition)
            {
                statement["Condition"] = condition.DeepClone();
            }

            statements.Add(statement);
        }

        return new JsonObject { ["Version"] = PolicyVersion, ["Statement"] = statements };
    }

    /// <summary>The IAM actions a policy document allows, for checks.</summary>
    public static IReadOnlySet<string> ActionsOf(JsonObject policy) =>
        policy["Statement"]!.AsArray()
            .SelectMany(s => s!["Action"] switch
            {
                JsonArray actions => actions.Select(a => a!.GetValue<string>()),
                JsonValue action => [action.GetValue<string>()],
                _ => [],
            })
            .ToHashSet(StringComparer.Ordinal);

    private static JsonObject RoleTrust(IamSetupInput input, string principalRoleArn) =>
        Document(new JsonObject
        {
            ["Sid"] = "RekeyChainFromSourceAccount",
            ["Effect"] = "Allow",
            ["Principal"] = new JsonObject { ["AWS"] = principalRoleArn },
            ["Action"] = "sts:AssumeRole",
            ["Condition"] = new JsonObject
            {
                ["StringEquals"] = new JsonObject { ["aws:PrincipalAccount"] = input.Account },
            },
        });

    private static (IReadOnlyList<string> Resources, JsonObject? Condition)? Resolve(IamSetupInput input, ResourceScope scope, string account, string? backupRoleName)
    {
        var p = input.Partition;
        var r = input.Region;
        var rds = $"arn:{p}:rds:{r}:{account}";
        var kms = $"arn:{p}:kms:{r}:{account}";
        if (input.Fleet && FleetScope(input, scope, rds) is { } fleet)
        {
            return fleet;
        }

        // The renamed cluster: --old-suffix, and -old1..-old9, the names a Blue/Green switchover gives blue.
        string[] clusters = [input.ClusterId, .. OldNames(input, input.ClusterId)];
        var instances = input.InstanceIds.SelectMany(i => new[] { i }.Concat(OldNames(input, i)));

        return scope switch
        {
            ResourceScope.Any => (["*"], null),
            ResourceScope.Clusters or ResourceScope.CreatedClusters => (clusters.Select(c => $"{rds}:cluster:{c}").ToList(), null),
            ResourceScope.Instances or ResourceScope.CreatedInstances => NonEmpty(instances.Select(i => $"{rds}:db:{i}")),
            ResourceScope.Snapshots => (clusters.Select(c => $"{rds}:cluster-snapshot:{c}-rekey-*").ToList(), null),
            ResourceScope.CustomEndpoints or ResourceScope.CreatedCustomEndpoints => NonEmpty(input.CustomEndpointNames.Select(e => $"{rds}:cluster-endpoint:{e}")),
            ResourceScope.RestoreInputs => NonEmpty(
                input.ClusterParameterGroups.Select(g => $"{rds}:cluster-pg:{g}")
                    .Concat(input.SubnetGroups.Select(g => $"{rds}:subgrp:{g}"))
                    .Concat(input.InstanceParameterGroups.Select(g => $"{rds}:pg:{g}"))),
            ResourceScope.DressRehearsalCluster => ([$"{rds}:cluster:{DressRehearsal.DressRehearsalCluster.NameFor(input.ClusterId)}"], null),
            ResourceScope.DressRehearsalInstance => ([$"{rds}:db:{DressRehearsal.DressRehearsalCluster.WriterNameFor(input.ClusterId)}"], null),
            ResourceScope.SourceCluster => ([$"{rds}:cluster:{input.ClusterId}"], null),
            ResourceScope.ClusterRekeyTags => ([$"{rds}:cluster:{input.ClusterId}"], RekeyTagKeys()),
            ResourceScope.BlueGreenParameterGroup => ([$"{rds}:cluster-pg:{BlueGreenParameters.CopyName(input.ClusterId)}"], null),
            ResourceScope.BlueGreenDeployment => ([$"{rds}:deployment:*"], Equals("aws:ResourceTag/" + State.RekeyTags.OriginalId, input.ClusterId)),
            ResourceScope.BlueGreenDeploymentCreation => ([$"{rds}:deployment:*"], Equals("aws:RequestTag/" + State.RekeyTags.OriginalId, input.ClusterId)),
            ResourceScope.GreenResources => (GreenArns(rds), Equals("aws:ResourceTag/" + State.RekeyTags.OriginalId, input.ClusterId)),
            ResourceScope.GreenCreation => (GreenArns(rds), Equals("aws:RequestTag/" + State.RekeyTags.OriginalId, input.ClusterId)),
            ResourceScope.AutoScalingAlarms => ([$"arn:{p}:cloudwatch:{r}:{account}:alarm:TargetTracking-cluster:{input.ClusterId}-*"], null),
            _ => Shared(input, scope, account, backupRoleName, kms, rds),
        };
    }

    /// <summary>A fleet role's scopes: the operator's tag on what exists, in the request for what Rekey creates, and Rekey's own name patterns.</summary>
    private static (IReadOnlyList<string>, JsonObject?)? FleetScope(IamSetupInput input, ResourceScope scope, string rds)
    {
        var tagged = Equals("aws:ResourceTag/" + FleetTagKey, input.Environment);
        var requested = Equals("aws:RequestTag/" + FleetTagKey, input.Environment);
        return scope switch
        {
            ResourceScope.Clusters or ResourceScope.SourceCluster => ([$"{rds}:cluster:*"], tagged),
            ResourceScope.Instances => ([$"{rds}:db:*"], tagged),
            ResourceScope.CustomEndpoints => ([$"{rds}:cluster-endpoint:*"], tagged),
            ResourceScope.GreenResources => (GreenArns(rds), tagged),
            ResourceScope.CreatedClusters => ([$"{rds}:cluster:*"], requested),
            ResourceScope.CreatedInstances => ([$"{rds}:db:*"], requested),
            ResourceScope.CreatedCustomEndpoints => ([$"{rds}:cluster-endpoint:*"], requested),
            ResourceScope.GreenCreation => (GreenArns(rds), requested),
            ResourceScope.Snapshots => ([$"{rds}:cluster-snapshot:*-rekey-*"], null),
            ResourceScope.RestoreInputs => ([$"{rds}:cluster-pg:*", $"{rds}:subgrp:*", $"{rds}:pg:*"], null),
            ResourceScope.BlueGreenParameterGroup => ([$"{rds}:cluster-pg:{BlueGreenParameters.CopyName("*")}"], null),
            ResourceScope.DressRehearsalCluster => ([$"{rds}:cluster:{DressRehearsal.DressRehearsalCluster.NameFor("*")}"], null),
            ResourceScope.DressRehearsalInstance => ([$"{rds}:db:{DressRehearsal.DressRehearsalCluster.WriterNameFor("*")}"], null),
            ResourceScope.ClusterRekeyTags => ([$"{rds}:cluster:*"], Merge(tagged, RekeyTagKeys())),
            ResourceScope.BlueGreenDeployment => ([$"{rds}:deployment:*"], tagged),
            ResourceScope.BlueGreenDeploymentCreation => ([$"{rds}:deployment:*"], requested),
            ResourceScope.AutoScalingAlarms => ([$"arn:{input.Partition}:cloudwatch:{input.Region}:{input.Account}:alarm:TargetTracking-cluster:*"], null),
            _ => null,
        };
    }

    private static (IReadOnlyList<string>, JsonObject?)? Shared(IamSetupInput input, ResourceScope scope, string account, string? backupRoleName, string kms, string rds)
    {
        var p = input.Partition;
        var r = input.Region;
        return scope switch
        {
            ResourceScope.Proxies => ([$"{rds}:db-proxy:*", $"{rds}:target-group:*"], null),
            ResourceScope.ScalableTargets => (
                [$"arn:{p}:application-autoscaling:{r}:{account}:scalable-target/*"],
                new JsonObject
                {
                    ["StringEquals"] = new JsonObject
                    {
                        ["application-autoscaling:service-namespace"] = "rds",
                        ["application-autoscaling:scalable-dimension"] = "rds:cluster:ReadReplicaCount",
                    },
                }),
            ResourceScope.AutoScaledReplicas => ([$"{rds}:db:application-autoscaling-*"], null),
            ResourceScope.Key => TargetKey(input, kms),
            ResourceScope.CreatedKeys => ([$"{kms}:key/*"], TagCondition("aws:ResourceTag")),
            ResourceScope.KeyCreation => (["*"], TagCondition("aws:RequestTag")),
            ResourceScope.Alias => input.Key.IsAlias ? ([$"{kms}:{AliasName(input.Key)}"], null) : null,
            ResourceScope.VaultKeyAlias => ([$"{kms}:{VaultKeyAlias}"], null),
            ResourceScope.AccountKeys => ([$"{kms}:key/*"], null),
            ResourceScope.BackupVaultKeys => ([$"{kms}:key/*"], Equals("kms:ViaService", $"backup.{r}.amazonaws.com")),
            ResourceScope.Topic => input.TopicArn is { } topic ? ([topic], null) : null,
            ResourceScope.DatabaseSecret => input.DatabaseSecretArn is { } secret ? ([secret], null) : null,
            ResourceScope.BackupVault => (account == input.Account ? input.SourceBackupVault ?? input.BackupVault : input.BackupVault) is { } vault
                ? ([$"arn:{p}:backup:{r}:{account}:backup-vault:{vault}"], null)
                : null,
            ResourceScope.BackupPlans => ([$"arn:{p}:backup:{r}:{account}:backup-plan:*"], null),
            // Aurora recovery points are cluster snapshots that AWS Backup names awsbackup:job-...
            ResourceScope.RecoveryPoints => ([$"arn:{p}:backup:{r}:{account}:recovery-point:*", $"{rds}:cluster-snapshot:awsbackup:*"], null),
            ResourceScope.PassedRoles => input.PassedRoleArns.Count == 0
                ? null
                : (input.PassedRoleArns.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList(),
                   new JsonObject { ["StringEquals"] = new JsonObject { ["iam:PassedToService"] = Strings(PassRoleServices) } }),
            // By name under any path: IAM authorizes GetRole on the role's real ARN, so a role found under
            // another path than the one given is still read, and BackupPreflight can say which ARN to give.
            ResourceScope.BackupServiceRole => input.BackupServiceRoleArn is { } serviceRole
                ? ([$"arn:{p}:iam::{account}:role/{BackupSetup.RoleNameOf(serviceRole)}", $"arn:{p}:iam::{account}:role/*/{BackupSetup.RoleNameOf(serviceRole)}"], null)
                : null,
            ResourceScope.BackupAccountRole => input.BackupAccount is { } backupAccount && backupRoleName is not null
                ? ([input.RoleArn(backupAccount, backupRoleName)], null)
                : null,
            ResourceScope.AutoScalingServiceLinkedRole => (
                [$"arn:{p}:iam::{account}:role/aws-service-role/rds.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_RDSCluster"],
                new JsonObject { ["StringLike"] = new JsonObject { ["iam:AWSServiceName"] = "rds.application-autoscaling.amazonaws.com" } }),
            _ => throw new ArgumentOutOfRangeException(nameof(scope), scope, "A scope without a resolution."),
        };
    }

    /// <summary>The names a cluster or instance has after a rename: --old-suffix, and -old1..-old9 from a Blue/Green switchover.</summary>
    private static IEnumerable<string> OldNames(IamSetupInput input, string id) =>
        new[] { id + input.OldSuffix, id + "-old?" }.Distinct(StringComparer.Ordinal);

    private static List<string> GreenArns(string rds) => [$"{rds}:cluster:*", $"{rds}:db:*", $"{rds}:cluster-endpoint:*"];

    private static JsonObject RekeyTagKeys() =>
        new() { ["ForAllValues:StringLike"] = new JsonObject { ["aws:TagKeys"] = State.RekeyTags.Prefix + "*" } };

    private static JsonObject Equals(string key, string value) => new() { ["StringEquals"] = new JsonObject { [key] = value } };

    private static JsonObject Merge(JsonObject first, JsonObject second)
    {
        var merged = (JsonObject)first.DeepClone();
        foreach (var (op, value) in second)
        {
            merged[op] = value!.DeepClone();
        }

        return merged;
    }

    /// <summary>
    /// A key ARN or id is granted as it is; an alias grants any key that alias points to (kms:ResourceAliases),
    /// which also covers a key created under it later.
    /// </summary>
    private static (IReadOnlyList<string>, JsonObject?) TargetKey(IamSetupInput input, string kms) =>
        input.Key.Kind switch
        {
            KmsKeyReferenceKind.KeyArn => ([input.Key.Value], null),
            KmsKeyReferenceKind.AliasName or KmsKeyReferenceKind.AliasArn => (
                [$"{kms}:key/*"],
                new JsonObject { ["ForAnyValue:StringEquals"] = new JsonObject { ["kms:ResourceAliases"] = AliasName(input.Key) } }),
            _ => ([$"{kms}:key/{input.Key.Value}"], null),
        };

    private static string AliasName(KmsKeyReference key) =>
        key.Kind == KmsKeyReferenceKind.AliasArn ? key.Value[(key.Value.IndexOf(":alias/", StringComparison.Ordinal) + 1)..] : key.Value;

    private static JsonObject TagCondition(string conditionKey) =>
        new() { ["StringEquals"] = new JsonObject { [$"{conditionKey}/{PrepareKey.ManagedTagKey}"] = "true" } };

    private static (IReadOnlyList<string>, JsonObject?)? NonEmpty(IEnumerable<string> resources)
    {
        var list = resources.Distinct(StringComparer.Ordinal).ToList();
        return list.Count == 0 ? null : (list, null);
    }

    private static JsonObject Document(JsonObject statement) =>
        new() { ["Version"] = PolicyVersion, ["Statement"] = new JsonArray(statement) };

    private static JsonArray Strings(IEnumerable<string> values) => new(values.Select(v => (JsonNode)JsonValue.Create(v)).ToArray());
}
