using System.Text.Json.Nodes;
using Rekey.Configuration;
using Rekey.Iam;

namespace Rekey.Tests.Iam;

public sealed class IamPolicyGeneratorTests
{
    private static IamSetupInput Input(
        string partition = "aws",
        string repository = "acme/db-tools",
        string key = "alias/rekey-orders",
        string suffix = "-old",
        string? backupAccount = null)
    {
        Assert.True(GitHubRepository.TryParse(repository, out var repo));
        Assert.True(KmsKeyReference.TryParse(key, out var keyReference));
        return new IamSetupInput
        {
            Partition = partition,
            Account = "111111111111",
            Region = partition == "aws-cn" ? "cn-north-1" : "eu-west-1",
            Repository = repo!,
            Environment = "prod",
            ClusterId = "orders",
            OldSuffix = suffix,
            InstanceIds = ["orders-1", "orders-2"],
            CustomEndpointNames = ["orders-analytics"],
            ClusterParameterGroups = ["orders-cluster-params"],
            SubnetGroups = ["orders-subnets"],
            InstanceParameterGroups = ["orders-instance-params"],
            PassedRoleArns = [$"arn:{partition}:iam::111111111111:role/orders-s3-import", $"arn:{partition}:iam::111111111111:role/rds-monitoring"],
            Key = keyReference!,
            TopicArn = $"arn:{partition}:sns:eu-west-1:111111111111:rekey",
            DatabaseSecretArn = $"arn:{partition}:secretsmanager:eu-west-1:111111111111:secret:rekey-db-AbCdEf",
            BackupAccount = backupAccount,
            BackupVault = backupAccount is null ? null : "rekey-copies",
            BackupServiceRoleArn = backupAccount is null ? null : $"arn:{partition}:iam::111111111111:role/service-role/AWSBackupDefaultServiceRole",
        };
    }

    private static IamRole Role(IReadOnlyList<IamRole> roles, string name) => roles.Single(r => r.Name == name);

    private static IEnumerable<JsonObject> Statements(JsonObject policy) => policy["Statement"]!.AsArray().Select(s => s!.AsObject());

    private static IReadOnlyList<string> Resources(JsonObject statement) =>
        statement["Resource"] is JsonArray array ? array.Select(r => r!.GetValue<string>()).ToList() : [statement["Resource"]!.GetValue<string>()];

    private static JsonObject StatementGranting(JsonObject policy, string action, string resourceFragment) =>
        Statements(policy).Single(s => IamPolicyGenerator.ActionsOf(new JsonObject { ["Statement"] = new JsonArray(s.DeepClone()) }).Contains(action)
                                       && Resources(s).Any(r => r.Contains(resourceFragment, StringComparison.Ordinal)));

    [Fact]
    public void Both_roles_trust_only_GitHubs_token_for_STS_from_Rekeys_workflow_file_in_their_own_environment_of_the_repository()
    {
        var roles = IamPolicyGenerator.Generate(Input());

        foreach (var (name, environment) in new[] { ("rekey-prod-plan", "prod-plan"), ("rekey-prod-migration", "prod") })
        {
            var statement = Statements(Role(roles, name).Trust.Document).Single();
            Assert.Equal("arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com", statement["Principal"]!["Federated"]!.GetValue<string>());
            Assert.Equal("sts:AssumeRoleWithWebIdentity", statement["Action"]!.GetValue<string>());
            var equals = statement["Condition"]!["StringEquals"]!.AsObject();
            Assert.Equal("sts.amazonaws.com", equals["token.actions.githubusercontent.com:aud"]!.GetValue<string>());
            Assert.Equal(
                [$"repo:acme/db-tools:environment:{environment}:job_workflow_ref:acme/db-tools/.github/workflows/rekey.yml@refs/heads/main", $"repo:acme/db-tools:environment:{environment}:job_workflow_ref:acme/db-tools/.github/workflows/rekey-fleet.yml@refs/heads/main"],
                equals["token.actions.githubusercontent.com:sub"]!.AsArray().Select(v => v!.GetValue<string>()));
        }
    }

    [Fact]
    public void The_dress_rehearsal_role_is_trusted_by_the_plan_environment_and_changes_only_its_copy_and_the_clusters_rekey_tags()
    {
        var roles = IamPolicyGenerator.Generate(Input(backupAccount: "222222222222"));
        var dress = Role(roles, "rekey-prod-dress-rehearsal");
        var plan = Role(roles, "rekey-prod-plan").Policy.Document;

        Assert.Equal("REKEY_DRESS_REHEARSAL_ROLE_ARN", dress.GitHubVariable);
        Assert.Equal("prod-plan", dress.GitHubEnvironment);
        var trust = Statements(dress.Trust.Document).Single()["Condition"]!["StringEquals"]!.AsObject();
        Assert.Contains("repo:acme/db-tools:environment:prod-plan:job_workflow_ref:acme/db-tools/.github/workflows/rekey.yml@refs/heads/main", trust["token.actions.githubusercontent.com:sub"]!.AsArray().Select(v => v!.GetValue<string>()));

        // Every read of the plan role (but no chain into the backup account), plus its own changes.
        var granted = IamPolicyGenerator.ActionsOf(dress.Policy.Document);
        Assert.Empty(IamPolicyGenerator.ActionsOf(plan).Except(granted).Except(["sts:AssumeRole"]));
        Assert.DoesNotContain("sts:AssumeRole", granted);

        // Deleting and modifying reach the copy only; the cluster itself only through its rekey: tags.
        foreach (var statement in Statements(dress.Policy.Document))
        {
            var actions = IamPolicyGenerator.ActionsOf(new JsonObject { ["Statement"] = new JsonArray(statement.DeepClone()) });
            if (actions.Any(a => a.StartsWith("rds:Delete", StringComparison.Ordinal) || a.StartsWith("rds:Modify", StringComparison.Ordinal) || a == "rds:CreateDBInstance"))
            {
                Assert.All(Resources(statement), r => Assert.True(r.Contains(":orders-rekey-dress", StringComparison.Ordinal) || r.Contains(":pg:", StringComparison.Ordinal) || r.Contains(":cluster-pg:", StringComparison.Ordinal) || r.Contains(":subgrp:", StringComparison.Ordinal), r));
            }
        }

        var tags = Statements(dress.Policy.Document).Single(s => s["Sid"]!.GetValue<string>() == "ClusterRekeyTags");
        Assert.Equal(["arn:aws:rds:eu-west-1:111111111111:cluster:orders"], Resources(tags));
        Assert.Equal("rekey:*", tags["Condition"]!["ForAllValues:StringLike"]!["aws:TagKeys"]!.GetValue<string>());
        Assert.Equal(["rds:AddTagsToResource", "rds:RemoveTagsFromResource"], IamPolicyGenerator.ActionsOf(new JsonObject { ["Statement"] = new JsonArray(tags.DeepClone()) }).Order(StringComparer.Ordinal));
        Assert.Equal(["arn:aws:rds:eu-west-1:111111111111:cluster:orders-rekey-dress"], Resources(Statements(dress.Policy.Document).Single(s => s["Sid"]!.GetValue<string>() == "DressRehearsalCluster")));
        Assert.Equal(["arn:aws:rds:eu-west-1:111111111111:db:orders-rekey-dress-1"], Resources(Statements(dress.Policy.Document).Single(s => s["Sid"]!.GetValue<string>() == "DressRehearsalInstance")));
    }

    [Fact]
    public void A_repository_given_with_its_ids_is_pinned_by_the_immutable_subject()
    {
        var roles = IamPolicyGenerator.Generate(Input(repository: "acme@1234/db-tools@56789"));

        var sub = Statements(Role(roles, "rekey-prod-migration").Trust.Document).Single()["Condition"]!["StringEquals"]!["token.actions.githubusercontent.com:sub"]!.AsArray().Select(v => v!.GetValue<string>());
        Assert.Contains("repo:acme@1234/db-tools@56789:environment:prod:job_workflow_ref:acme/db-tools/.github/workflows/rekey.yml@refs/heads/main", sub);
    }

    [Theory]
    [InlineData("acme")]
    [InlineData("acme/db-tools/extra")]
    [InlineData("acme@12/db-tools")]
    [InlineData("acme/db-tools@34")]
    [InlineData("-acme/db-tools")]
    public void A_repository_that_is_not_owner_slash_name_with_both_or_no_ids_is_refused(string text) =>
        Assert.False(GitHubRepository.TryParse(text, out _));

    [Fact]
    public void The_migration_role_may_change_the_cluster_and_its_instances_under_the_original_and_the_renamed_identifiers_only()
    {
        var policy = Role(IamPolicyGenerator.Generate(Input(suffix: "-pre-cmk")), "rekey-prod-migration").Policy.Document;
        var byName = new JsonObject { ["Statement"] = new JsonArray([.. Statements(policy).Where(s => s["Condition"] is null).Select(s => s.DeepClone())]) };

        // -old1..-old9: the names a Blue/Green switchover gives the old blue.
        var clusters = StatementGranting(byName, "rds:ModifyDBCluster", ":cluster:");
        Assert.Equal(
            ["arn:aws:rds:eu-west-1:111111111111:cluster:orders", "arn:aws:rds:eu-west-1:111111111111:cluster:orders-pre-cmk", "arn:aws:rds:eu-west-1:111111111111:cluster:orders-old?"],
            Resources(clusters));
        var instances = StatementGranting(byName, "rds:ModifyDBInstance", ":db:");
        Assert.Equal(
            [
                "arn:aws:rds:eu-west-1:111111111111:db:orders-1", "arn:aws:rds:eu-west-1:111111111111:db:orders-1-pre-cmk", "arn:aws:rds:eu-west-1:111111111111:db:orders-1-old?",
                "arn:aws:rds:eu-west-1:111111111111:db:orders-2", "arn:aws:rds:eu-west-1:111111111111:db:orders-2-pre-cmk", "arn:aws:rds:eu-west-1:111111111111:db:orders-2-old?",
            ],
            Resources(instances));

        // Every cluster or instance of the account only with the cluster's own rekey:original-id tag (Blue/Green's green, named by AWS).
        foreach (var statement in Statements(policy).Where(s => Resources(s).Any(r => r.EndsWith(":cluster:*", StringComparison.Ordinal) || r.EndsWith(":db:*", StringComparison.Ordinal))))
        {
            Assert.Contains("rekey:original-id", statement["Condition"]!.ToJsonString(), StringComparison.Ordinal);
            Assert.Contains("\"orders\"", statement["Condition"]!.ToJsonString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Every_ARN_is_in_the_accounts_partition()
    {
        var input = Input(partition: "aws-cn", key: "arn:aws-cn:kms:cn-north-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab", backupAccount: "222222222222");
        var roles = IamPolicyGenerator.Generate(input);

        var arns = roles.SelectMany(r => new[] { r.Arn }
                .Concat(Statements(r.Policy.Document).SelectMany(Resources))
                .Concat(Workflow(r.Trust.Document)))
            .Where(a => a.StartsWith("arn:", StringComparison.Ordinal))
            .ToList();

        Assert.NotEmpty(arns);
        Assert.All(arns, arn => Assert.StartsWith("arn:aws-cn:", arn, StringComparison.Ordinal));

        static IEnumerable<string> Workflow(JsonObject trust) =>
            Statements(trust).Select(s => s["Principal"]!.AsObject().Single().Value!.GetValue<string>());
    }

    [Fact]
    public void The_plan_role_gets_exactly_the_read_only_calls_and_the_notifications()
    {
        var input = Input(backupAccount: "222222222222");
        var policy = Role(IamPolicyGenerator.Generate(input), "rekey-prod-plan").Policy.Document;

        var expected = AwsOperationPermissions.All
            .Where(p => p is { Account: PolicyAccount.Source, ReadOnly: true })
            .SelectMany(p => p.Grants.Select(g => g.Action))
            .ToHashSet(StringComparer.Ordinal);
        Assert.Equal(expected.Order(StringComparer.Ordinal), IamPolicyGenerator.ActionsOf(policy).Order(StringComparer.Ordinal));
        Assert.Contains("sns:Publish", expected);
        Assert.DoesNotContain(expected, a => a.Contains(":Modify", StringComparison.Ordinal) || a.Contains(":Delete", StringComparison.Ordinal) || a.Contains(":Create", StringComparison.Ordinal));
    }

    [Fact]
    public void The_migration_role_gets_every_call_of_the_cluster_account_in_the_table_and_nothing_else()
    {
        var policy = Role(IamPolicyGenerator.Generate(Input(backupAccount: "222222222222")), "rekey-prod-migration").Policy.Document;

        var expected = AwsOperationPermissions.All
            .Where(p => p.Account == PolicyAccount.Source)
            .SelectMany(p => p.Grants.Select(g => g.Action))
            .ToHashSet(StringComparer.Ordinal);
        Assert.Equal(expected.Order(StringComparer.Ordinal), IamPolicyGenerator.ActionsOf(policy).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Without_a_backup_account_no_backup_permission_or_backup_role_is_generated()
    {
        var roles = IamPolicyGenerator.Generate(Input());

        Assert.Equal(["rekey-prod-plan", "rekey-prod-migration", "rekey-prod-dress-rehearsal"], roles.Select(r => r.Name));
        Assert.DoesNotContain(roles.SelectMany(r => IamPolicyGenerator.ActionsOf(r.Policy.Document)), a => a.StartsWith("backup", StringComparison.Ordinal) || a == "sts:AssumeRole");
    }

    [Fact]
    public void The_backup_accounts_roles_trust_only_the_source_roles_and_the_chain_is_allowed_only_into_them()
    {
        var roles = IamPolicyGenerator.Generate(Input(backupAccount: "222222222222"));

        var backup = Role(roles, "rekey-prod-backup");
        var reader = Role(roles, "rekey-prod-backup-reader");
        Assert.Equal("222222222222", backup.Account);
        Assert.Equal("arn:aws:iam::111111111111:role/rekey-prod-migration", Statements(backup.Trust.Document).Single()["Principal"]!["AWS"]!.GetValue<string>());
        Assert.Equal("arn:aws:iam::111111111111:role/rekey-prod-plan", Statements(reader.Trust.Document).Single()["Principal"]!["AWS"]!.GetValue<string>());

        var migration = Role(roles, "rekey-prod-migration").Policy.Document;
        Assert.Equal(["arn:aws:iam::222222222222:role/rekey-prod-backup"], Resources(StatementGranting(migration, "sts:AssumeRole", ":role/")));
        var plan = Role(roles, "rekey-prod-plan").Policy.Document;
        Assert.Equal(["arn:aws:iam::222222222222:role/rekey-prod-backup-reader"], Resources(StatementGranting(plan, "sts:AssumeRole", ":role/")));

        Assert.Equal(["arn:aws:backup:eu-west-1:222222222222:backup-vault:rekey-copies"], Resources(StatementGranting(backup.Policy.Document, "backup:PutBackupVaultAccessPolicy", "backup-vault")));
        Assert.DoesNotContain("backup:PutBackupVaultAccessPolicy", IamPolicyGenerator.ActionsOf(reader.Policy.Document));
    }

    [Fact]
    public void A_key_given_by_alias_is_granted_on_whichever_key_carries_that_alias()
    {
        var policy = Role(IamPolicyGenerator.Generate(Input(key: "alias/rekey-orders")), "rekey-prod-migration").Policy.Document;

        var statement = StatementGranting(policy, "kms:CreateGrant", ":key/");
        Assert.Equal(["arn:aws:kms:eu-west-1:111111111111:key/*"], Resources(statement));
        Assert.Equal("alias/rekey-orders", statement["Condition"]!["ForAnyValue:StringEquals"]!["kms:ResourceAliases"]!.GetValue<string>());
        Assert.Equal(["arn:aws:kms:eu-west-1:111111111111:alias/rekey-orders"], Resources(StatementGranting(policy, "kms:CreateAlias", ":alias/")));
    }

    [Fact]
    public void A_key_given_by_ARN_is_granted_on_that_key_alone_and_creation_needs_Rekeys_tag()
    {
        const string keyArn = "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        var policy = Role(IamPolicyGenerator.Generate(Input(key: keyArn)), "rekey-prod-migration").Policy.Document;

        var statement = StatementGranting(policy, "kms:CreateGrant", keyArn);
        Assert.Equal([keyArn], Resources(statement));
        Assert.Null(statement["Condition"]);
        var creation = Statements(policy).Single(s => s["Sid"]!.GetValue<string>() == nameof(ResourceScope.KeyCreation));
        Assert.Equal("true", creation["Condition"]!["StringEquals"]!["aws:RequestTag/rekey:managed"]!.GetValue<string>());
    }

    [Fact]
    public void The_AWS_Backup_service_role_is_readable_only_by_its_name_under_any_path_and_only_when_backups_are_set_up()
    {
        var withBackup = Role(IamPolicyGenerator.Generate(Input(backupAccount: "222222222222")), "rekey-prod-migration").Policy.Document;
        var withoutBackup = Role(IamPolicyGenerator.Generate(Input()), "rekey-prod-migration").Policy.Document;

        var statement = StatementGranting(withBackup, "iam:GetRole", ":role/");
        Assert.Equal(["arn:aws:iam::111111111111:role/AWSBackupDefaultServiceRole", "arn:aws:iam::111111111111:role/*/AWSBackupDefaultServiceRole"], Resources(statement));
        Assert.DoesNotContain(Statements(withoutBackup), s => s["Action"]!.ToJsonString().Contains("iam:GetRole", StringComparison.Ordinal));
    }

    [Fact]
    public void Roles_are_passed_only_to_RDS_its_monitoring_and_AWS_Backup()
    {
        var policy = Role(IamPolicyGenerator.Generate(Input()), "rekey-prod-migration").Policy.Document;

        var statement = StatementGranting(policy, "iam:PassRole", ":role/");
        Assert.Equal(["arn:aws:iam::111111111111:role/orders-s3-import", "arn:aws:iam::111111111111:role/rds-monitoring"], Resources(statement));
        Assert.Equal(
            IamPolicyGenerator.PassRoleServices,
            statement["Condition"]!["StringEquals"]!["iam:PassedToService"]!.AsArray().Select(s => s!.GetValue<string>()));
    }

    [Fact]
    public void The_migration_role_may_register_replica_auto_scaling_and_create_only_its_Aurora_service_linked_role_and_the_plan_role_only_reads_it()
    {
        var roles = IamPolicyGenerator.Generate(Input());
        var migration = Role(roles, "rekey-prod-migration").Policy.Document;
        var plan = Role(roles, "rekey-prod-plan").Policy.Document;

        var linkedRole = StatementGranting(migration, "iam:CreateServiceLinkedRole", ":role/");
        Assert.Equal(
            ["arn:aws:iam::111111111111:role/aws-service-role/rds.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_RDSCluster"],
            Resources(linkedRole));
        Assert.Equal("rds.application-autoscaling.amazonaws.com", linkedRole["Condition"]!["StringLike"]!["iam:AWSServiceName"]!.GetValue<string>());
        Assert.Contains("application-autoscaling:RegisterScalableTarget", IamPolicyGenerator.ActionsOf(migration));
        Assert.Contains("application-autoscaling:PutScalingPolicy", IamPolicyGenerator.ActionsOf(migration));
        var planActions = IamPolicyGenerator.ActionsOf(plan);
        Assert.Contains("application-autoscaling:DescribeScalableTargets", planActions);
        Assert.Contains("application-autoscaling:DescribeScalingPolicies", planActions);
        Assert.DoesNotContain(planActions, a => a is "application-autoscaling:RegisterScalableTarget" or "application-autoscaling:PutScalingPolicy" or "iam:CreateServiceLinkedRole");
    }

    [Fact]
    public void Every_operation_in_the_table_is_listed_once_per_account_with_its_service_prefix_on_every_own_action()
    {
        var duplicates = AwsOperationPermissions.All.GroupBy(p => (p.Service, p.Operation, p.Account)).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.Empty(duplicates);

        var prefixes = new Dictionary<string, string> { ["rds"] = "rds", ["kms"] = "kms", ["sts"] = "sts", ["monitoring"] = "cloudwatch", ["sns"] = "sns", ["backup"] = "backup", ["organizations"] = "organizations", ["iam"] = "iam", ["application-autoscaling"] = "application-autoscaling", ["rds-data"] = "rds-data" };
        foreach (var operation in AwsOperationPermissions.All.Where(p => p.Grants.Count > 0))
        {
            Assert.Contains(operation.Grants, g => g.Action == $"{prefixes[operation.Service]}:{operation.Operation}");
        }
    }

    [Fact]
    public void The_page_names_every_role_file_and_documents_both_subject_forms()
    {
        var input = Input(backupAccount: "222222222222");
        var roles = IamPolicyGenerator.Generate(input);

        var page = IamSetupPage.Render(input, roles);

        Assert.Contains("repo:acme/db-tools:environment:prod", page, StringComparison.Ordinal);
        Assert.Contains("repo:acme@OWNER_ID/db-tools@REPOSITORY_ID:environment:prod", page, StringComparison.Ordinal);
        Assert.All(roles, r =>
        {
            Assert.Contains(r.Trust.FileName, page, StringComparison.Ordinal);
            Assert.Contains(r.Policy.FileName, page, StringComparison.Ordinal);
            Assert.Contains(r.Arn, page, StringComparison.Ordinal);
        });
        Assert.Contains("--max-session-duration 21600", page, StringComparison.Ordinal);
    }
}
