namespace Rekey.Iam;

/// <summary>
/// The single table of every AWS operation the pipeline calls, mapped to its IAM actions and their
/// resource scope. The generated role policies are made from it and from nothing else.
/// </summary>
public static class AwsOperationPermissions
{
    public static IReadOnlyList<AwsOperationPermission> All { get; } =
    [
        // RDS reads. RDS Describe calls that list (Inventory, members, events) are authorized on "*".
        Read("rds", "DescribeDBClusters", Any("rds:DescribeDBClusters")),
        Read("rds", "DescribeDBInstances", Any("rds:DescribeDBInstances")),
        Read("rds", "DescribeDBClusterEndpoints", Any("rds:DescribeDBClusterEndpoints")),
        Read("rds", "DescribeDBClusterSnapshots", Any("rds:DescribeDBClusterSnapshots")),
        Read("rds", "DescribeDBProxies", Any("rds:DescribeDBProxies")),
        Read("rds", "DescribeDBProxyTargets", Any("rds:DescribeDBProxyTargets"), onlyWhen: "the account has an RDS Proxy"),
        Read("rds", "DescribeEventSubscriptions", Any("rds:DescribeEventSubscriptions")),
        Read("rds", "DescribeGlobalClusters", Any("rds:DescribeGlobalClusters")),
        Read("rds", "DescribeIntegrations", Any("rds:DescribeIntegrations")),
        ReadWhen("rds", "DescribeBlueGreenDeployments", BlueGreen, Any("rds:DescribeBlueGreenDeployments")),

        // RDS changes, on the cluster's and instances' own ARNs (original and renamed).
        Write("rds", "ModifyDBCluster", new IamGrant("rds:ModifyDBCluster", ResourceScope.Clusters), new IamGrant("rds:ModifyDBCluster", ResourceScope.BlueGreenParameterGroup)),

        // Blue/Green's parameters: read for eligibility, and PrepareBlueGreenParameters' copy.
        ReadWhen(
            "rds",
            "DescribeDBClusterParameters",
            BlueGreen,
            new IamGrant("rds:DescribeDBClusterParameters", ResourceScope.RestoreInputs),
            new IamGrant("rds:DescribeDBClusterParameters", ResourceScope.BlueGreenParameterGroup)),
        ReadWhen("rds", "DescribeDBParameters", BlueGreen, new IamGrant("rds:DescribeDBParameters", ResourceScope.RestoreInputs)),
        ReadWhen("rds", "DescribeDBClusterParameterGroups", BlueGreenFix, new IamGrant("rds:DescribeDBClusterParameterGroups", ResourceScope.BlueGreenParameterGroup)),
        WriteFor(
            Configuration.CutoverStrategy.BlueGreen,
            "rds",
            "CopyDBClusterParameterGroup",
            BlueGreenFix,
            new IamGrant("rds:CopyDBClusterParameterGroup", ResourceScope.RestoreInputs),
            new IamGrant("rds:CopyDBClusterParameterGroup", ResourceScope.BlueGreenParameterGroup),
            new IamGrant("rds:AddTagsToResource", ResourceScope.BlueGreenParameterGroup)),

        // Aurora PostgreSQL's sequences, advanced through the RDS Data API on blue, green, the new and the old cluster.
        WriteFor(
            Configuration.CutoverStrategy.BlueGreen,
            "rds-data",
            "ExecuteStatement",
            DataApiSequences,
            new IamGrant("rds-data:ExecuteStatement", ResourceScope.Clusters),
            new IamGrant("rds-data:ExecuteStatement", ResourceScope.GreenResources),
            new IamGrant("secretsmanager:GetSecretValue", ResourceScope.DatabaseSecret)),
        WriteFor(
            Configuration.CutoverStrategy.BlueGreen,
            "rds",
            "ModifyDBClusterParameterGroup",
            BlueGreenFix,
            new IamGrant("rds:ModifyDBClusterParameterGroup", ResourceScope.BlueGreenParameterGroup)),
        WriteFor(
            Configuration.CutoverStrategy.BlueGreen,
            "rds",
            "RebootDBInstance",
            $"PrepareBlueGreenParameters with --{Configuration.ArgumentNames.FixParameterGroup}",
            new IamGrant("rds:RebootDBInstance", ResourceScope.Instances)),
        Write("rds", "ModifyDBInstance", new IamGrant("rds:ModifyDBInstance", ResourceScope.Instances)),
        Write(
            "rds",
            "AddTagsToResource",
            new IamGrant("rds:AddTagsToResource", ResourceScope.Clusters),
            new IamGrant("rds:AddTagsToResource", ResourceScope.Instances),
            new IamGrant("rds:AddTagsToResource", ResourceScope.Snapshots)),
        Write(
            "rds",
            "RemoveTagsFromResource",
            new IamGrant("rds:RemoveTagsFromResource", ResourceScope.Clusters),
            new IamGrant("rds:RemoveTagsFromResource", ResourceScope.Instances)),
        // A restore is authorized on its source (the renamed cluster) and on the cluster it creates.
        WriteFor(
            Configuration.CutoverStrategy.RestoreSwap,
            "rds",
            "RestoreDBClusterToPointInTime",
            RestoreSwapCutover,
            Restore(ResourceScope.Clusters, ResourceScope.CreatedClusters)),
        WriteFor(
            Configuration.CutoverStrategy.RestoreSwap,
            "rds",
            "CreateDBInstance",
            RestoreSwapCutover,
            InstanceCreation(ResourceScope.CreatedInstances, ResourceScope.Clusters)),
        Write("rds", "DeleteDBInstance", new IamGrant("rds:DeleteDBInstance", ResourceScope.Instances)),
        Write(
            "rds",
            "DeleteDBCluster",
            new IamGrant("rds:DeleteDBCluster", ResourceScope.Clusters),
            new IamGrant("rds:DeleteDBCluster", ResourceScope.Snapshots),
            new IamGrant("rds:CreateDBClusterSnapshot", ResourceScope.Snapshots)),
        Write(
            "rds",
            "CreateDBClusterSnapshot",
            new IamGrant("rds:CreateDBClusterSnapshot", ResourceScope.Clusters),
            new IamGrant("rds:CreateDBClusterSnapshot", ResourceScope.Snapshots),
            new IamGrant("rds:AddTagsToResource", ResourceScope.Snapshots)),
        WriteFor(
            Configuration.CutoverStrategy.RestoreSwap,
            "rds",
            "FailoverDBCluster",
            "the old writer's identifier is not the first new instance to become available",
            new IamGrant("rds:FailoverDBCluster", ResourceScope.Clusters)),
        Write(
            "rds",
            "AddRoleToDBCluster",
            new IamGrant("rds:AddRoleToDBCluster", ResourceScope.Clusters),
            new IamGrant("iam:PassRole", ResourceScope.PassedRoles)),
        Write(
            "rds",
            "CreateDBClusterEndpoint",
            new IamGrant("rds:CreateDBClusterEndpoint", ResourceScope.Clusters),
            new IamGrant("rds:CreateDBClusterEndpoint", ResourceScope.CreatedCustomEndpoints),
            new IamGrant("rds:AddTagsToResource", ResourceScope.CreatedCustomEndpoints)),
        Write("rds", "DeleteDBClusterEndpoint", new IamGrant("rds:DeleteDBClusterEndpoint", ResourceScope.CustomEndpoints)),
        Write(
            "rds",
            "RegisterDBProxyTargets",
            "an RDS Proxy targets the cluster",
            new IamGrant("rds:RegisterDBProxyTargets", ResourceScope.Proxies),
            new IamGrant("rds:RegisterDBProxyTargets", ResourceScope.Clusters)),
        Write(
            "rds",
            "DeregisterDBProxyTargets",
            "an RDS Proxy targets the cluster",
            new IamGrant("rds:DeregisterDBProxyTargets", ResourceScope.Proxies),
            new IamGrant("rds:DeregisterDBProxyTargets", ResourceScope.Clusters)),

        // Blue/Green: the Aurora User Guide ("Authorizing access to Amazon Aurora blue/green deployment operations")
        // lists what each operation needs besides its own action. AWS names the green resources itself, and that page
        // says policies "can't contain partial resource name patterns" for them and recommends resource tags: green
        // copies blue's tags, and Rekey tags blue (rekey:original-id) before it creates the deployment.
        WriteFor(
            Configuration.CutoverStrategy.BlueGreen,
            "rds",
            "CreateBlueGreenDeployment",
            BlueGreenCutover,
            new IamGrant("rds:CreateBlueGreenDeployment", ResourceScope.Clusters),
            new IamGrant("rds:CreateBlueGreenDeployment", ResourceScope.BlueGreenDeploymentCreation),
            new IamGrant("rds:CreateBlueGreenDeployment", ResourceScope.RestoreInputs),
            new IamGrant("rds:CreateBlueGreenDeployment", ResourceScope.BlueGreenParameterGroup),
            new IamGrant("rds:AddTagsToResource", ResourceScope.BlueGreenDeploymentCreation),
            new IamGrant("rds:AddTagsToResource", ResourceScope.GreenCreation),
            new IamGrant("rds:CreateDBCluster", ResourceScope.GreenCreation),
            new IamGrant("rds:CreateDBCluster", ResourceScope.RestoreInputs),
            new IamGrant("rds:CreateDBCluster", ResourceScope.BlueGreenParameterGroup),
            new IamGrant("rds:CreateDBInstance", ResourceScope.GreenCreation),
            new IamGrant("rds:CreateDBInstance", ResourceScope.RestoreInputs),
            new IamGrant("rds:CreateDBClusterEndpoint", ResourceScope.GreenCreation),
            new IamGrant("kms:CreateGrant", ResourceScope.Key),
            new IamGrant("kms:DescribeKey", ResourceScope.Key)),
        WriteFor(
            Configuration.CutoverStrategy.BlueGreen,
            "rds",
            "SwitchoverBlueGreenDeployment",
            BlueGreenCutover,
            new IamGrant("rds:SwitchoverBlueGreenDeployment", ResourceScope.BlueGreenDeployment),
            new IamGrant("rds:ModifyDBCluster", ResourceScope.Clusters),
            new IamGrant("rds:ModifyDBCluster", ResourceScope.GreenResources),
            new IamGrant("rds:PromoteReadReplicaDBCluster", ResourceScope.GreenResources)),
        WriteFor(
            Configuration.CutoverStrategy.BlueGreen,
            "rds",
            "DeleteBlueGreenDeployment",
            "Rollback or Cleanup of a Blue/Green cutover",
            new IamGrant("rds:DeleteBlueGreenDeployment", ResourceScope.BlueGreenDeployment),
            new IamGrant("rds:DeleteDBCluster", ResourceScope.GreenResources),
            new IamGrant("rds:DeleteDBInstance", ResourceScope.GreenResources),
            new IamGrant("rds:DeleteDBClusterEndpoint", ResourceScope.GreenResources)),

        // Application Auto Scaling of the Aurora replicas, which Blue/Green does not copy: read at Preflight and CreateBlueGreen,
        // registered again by VerifyBlueGreen. Its validation probes the caller's rds:CreateDBInstance and rds:DeleteDBInstance
        // (register) on the replicas it names application-autoscaling-..., and CloudWatch alarm actions (target tracking) on the
        // alarms it names TargetTracking-cluster:<cluster>-...; registering creates the service-linked role if missing.
        ReadWhen("application-autoscaling", "DescribeScalableTargets", BlueGreen, Any("application-autoscaling:DescribeScalableTargets")),
        ReadWhen("application-autoscaling", "DescribeScalingPolicies", ReplicaScaling, Any("application-autoscaling:DescribeScalingPolicies")),
        WriteFor(
            Configuration.CutoverStrategy.BlueGreen,
            "application-autoscaling",
            "RegisterScalableTarget",
            ReplicaScaling,
            new IamGrant("application-autoscaling:RegisterScalableTarget", ResourceScope.ScalableTargets),
            new IamGrant("rds:CreateDBInstance", ResourceScope.AutoScaledReplicas),
            new IamGrant("rds:DeleteDBInstance", ResourceScope.AutoScaledReplicas),
            new IamGrant("iam:CreateServiceLinkedRole", ResourceScope.AutoScalingServiceLinkedRole)),
        WriteFor(
            Configuration.CutoverStrategy.BlueGreen,
            "application-autoscaling",
            "PutScalingPolicy",
            ReplicaScaling,
            new IamGrant("application-autoscaling:PutScalingPolicy", ResourceScope.ScalableTargets),
            new IamGrant("cloudwatch:PutMetricAlarm", ResourceScope.AutoScalingAlarms),
            Any("cloudwatch:DescribeAlarms"),
            new IamGrant("cloudwatch:DeleteAlarms", ResourceScope.AutoScalingAlarms)),

        // KMS: the target key, and the key Rekey creates under the alias with --create-key.
        Read("kms", "DescribeKey", new IamGrant("kms:DescribeKey", ResourceScope.AccountKeys)),
        // Preflight reads the target key's policy to prove RDS may use the key for the run; with a backup account, that it may copy.
        Read("kms", "GetKeyPolicy", new IamGrant("kms:GetKeyPolicy", ResourceScope.Key), new IamGrant("kms:GetKeyPolicy", ResourceScope.CreatedKeys)),
        Read("kms", "GetKeyRotationStatus", new IamGrant("kms:GetKeyRotationStatus", ResourceScope.Key), new IamGrant("kms:GetKeyRotationStatus", ResourceScope.CreatedKeys)),
        // Finding the key a previous run created means reading the tags of the account's keys.
        Read("kms", "ListKeys", Any("kms:ListKeys"), onlyWhen: "--create-key looks for a key an earlier run created"),
        Read("kms", "ListResourceTags", new IamGrant("kms:ListResourceTags", ResourceScope.AccountKeys)),
        Write("kms", "CreateKey", "--create-key and no key under the alias yet", new IamGrant("kms:CreateKey", ResourceScope.KeyCreation), new IamGrant("kms:TagResource", ResourceScope.KeyCreation)),
        Write("kms", "CreateAlias", "--create-key and no key under the alias yet", new IamGrant("kms:CreateAlias", ResourceScope.Alias), new IamGrant("kms:CreateAlias", ResourceScope.CreatedKeys)),
        Write(
            "kms",
            "PutKeyPolicy",
            "a key Rekey created lacks the backup account's statement",
            new IamGrant("kms:PutKeyPolicy", ResourceScope.Key),
            new IamGrant("kms:PutKeyPolicy", ResourceScope.CreatedKeys)),
        Write(
            "kms",
            "EnableKeyRotation",
            "Rekey creates the key, or finds rotation off on a key it created",
            new IamGrant("kms:EnableKeyRotation", ResourceScope.Key),
            new IamGrant("kms:EnableKeyRotation", ResourceScope.CreatedKeys)),
        Write("kms", "ScheduleKeyDeletion", "two runs created a key under the same alias at once; the loser's key is deleted", new IamGrant("kms:ScheduleKeyDeletion", ResourceScope.CreatedKeys)),

        // STS: who am I needs no permission; the chain into the backup account does.
        Read("sts", "GetCallerIdentity"),
        Read("sts", "AssumeRole", new IamGrant("sts:AssumeRole", ResourceScope.BackupAccountRole), onlyWhen: "the backup phase works in the backup account"),

        Read("monitoring", "GetMetricData", Any("cloudwatch:GetMetricData")),

        // Notifications are sent by every step, the read-only ones included.
        Read("sns", "Publish", new IamGrant("sns:Publish", ResourceScope.Topic)),

        // AWS Backup in the cluster's account: the organization, the service role, the source vault, the plan and its selection, the jobs.
        // DescribeOrganization takes no resource; both accounts call it so their organization ids can be compared.
        Read("organizations", "DescribeOrganization", Any("organizations:DescribeOrganization")),
        Read("iam", "GetRole", new IamGrant("iam:GetRole", ResourceScope.BackupServiceRole)),
        Read("backup", "DescribeGlobalSettings", Any("backup:DescribeGlobalSettings")),
        Read("backup", "DescribeBackupVault", new IamGrant("backup:DescribeBackupVault", ResourceScope.BackupVault)),
        Read("backup", "ListBackupPlans", Any("backup:ListBackupPlans")),
        ReadWhen("backup", "GetBackupPlan", "Rekey's plan already exists (a rerun, or a second cluster)", new IamGrant("backup:GetBackupPlan", ResourceScope.BackupPlans)),
        Read("backup", "ListBackupSelections", new IamGrant("backup:ListBackupSelections", ResourceScope.BackupPlans)),
        ReadWhen("backup", "GetBackupSelection", "the cluster's selection already exists (a rerun)", new IamGrant("backup:GetBackupSelection", ResourceScope.BackupPlans)),
        Read("backup", "DescribeBackupJob", Any("backup:DescribeBackupJob")),
        Read("backup", "DescribeCopyJob", Any("backup:DescribeCopyJob")),
        Write(
            "backup",
            "CreateBackupVault",
            "the source vault does not exist yet",
            VaultCreation()),
        Write("backup", "CreateBackupPlan", "the plan does not exist yet", new IamGrant("backup:CreateBackupPlan", ResourceScope.BackupPlans)),
        Write("backup", "UpdateBackupPlan", "the plan's rule differs from Rekey's", new IamGrant("backup:UpdateBackupPlan", ResourceScope.BackupPlans)),
        Write(
            "backup",
            "CreateBackupSelection",
            "the selection does not exist yet",
            new IamGrant("backup:CreateBackupSelection", ResourceScope.BackupPlans),
            new IamGrant("iam:PassRole", ResourceScope.PassedRoles)),
        Write("backup", "StartBackupJob", new IamGrant("backup:StartBackupJob", ResourceScope.BackupVault), new IamGrant("iam:PassRole", ResourceScope.PassedRoles)),
        Write("backup", "StartCopyJob", new IamGrant("backup:StartCopyJob", ResourceScope.RecoveryPoints), new IamGrant("iam:PassRole", ResourceScope.PassedRoles)),

        // The backup account, through the chained role: the destination vault, its key and its access policy.
        ReadIn(PolicyAccount.Backup, "organizations", "DescribeOrganization", Any("organizations:DescribeOrganization")),
        ReadIn(PolicyAccount.Backup, "backup", "DescribeBackupVault", new IamGrant("backup:DescribeBackupVault", ResourceScope.BackupVault)),
        ReadIn(PolicyAccount.Backup, "backup", "GetBackupVaultAccessPolicy", new IamGrant("backup:GetBackupVaultAccessPolicy", ResourceScope.BackupVault)),
        ReadIn(PolicyAccount.Backup, "backup", "ListRecoveryPointsByBackupVault", new IamGrant("backup:ListRecoveryPointsByBackupVault", ResourceScope.BackupVault)),
        ReadIn(PolicyAccount.Backup, "kms", "DescribeKey", new IamGrant("kms:DescribeKey", ResourceScope.AccountKeys)),
        ReadIn(PolicyAccount.Backup, "kms", "ListKeys", new IamGrant("kms:ListKeys", ResourceScope.Any)),
        new(
            "kms",
            "ListResourceTags",
            PolicyAccount.Backup,
            ReadOnly: true,
            [new IamGrant("kms:ListResourceTags", ResourceScope.AccountKeys)],
            "the backup account has keys to look through for one created for the vault"),
        ReadIn(PolicyAccount.Backup, "kms", "GetKeyRotationStatus", new IamGrant("kms:GetKeyRotationStatus", ResourceScope.AccountKeys)),
        WriteIn(
            PolicyAccount.Backup,
            "backup",
            "CreateBackupVault",
            VaultCreation()),
        WriteIn(PolicyAccount.Backup, "backup", "PutBackupVaultAccessPolicy", new IamGrant("backup:PutBackupVaultAccessPolicy", ResourceScope.BackupVault)),

        // The destination vault's own key, created in the backup account under Rekey's alias when it has none.
        WriteIn(PolicyAccount.Backup, "kms", "CreateKey", new IamGrant("kms:CreateKey", ResourceScope.KeyCreation), new IamGrant("kms:TagResource", ResourceScope.KeyCreation)),
        WriteIn(PolicyAccount.Backup, "kms", "CreateAlias", new IamGrant("kms:CreateAlias", ResourceScope.VaultKeyAlias), new IamGrant("kms:CreateAlias", ResourceScope.CreatedKeys)),
        WriteIn(PolicyAccount.Backup, "kms", "EnableKeyRotation", new IamGrant("kms:EnableKeyRotation", ResourceScope.CreatedKeys)),
        new(
            "kms",
            "ScheduleKeyDeletion",
            PolicyAccount.Backup,
            ReadOnly: false,
            [new IamGrant("kms:ScheduleKeyDeletion", ResourceScope.CreatedKeys)],
            "two runs created the vault key at once; the loser's key is deleted"),
    ];

    /// <summary>
    /// What the dress rehearsal role may change besides the read-only grants: its own throw-away copy
    /// (restored, given a writer, deleted) and the cluster's <c>rekey:</c> tags (the lock and the measurements
    /// it leaves for Plan). Each entry is the call as the dress rehearsal makes it; <see cref="All"/> holds the
    /// same calls as the cutover makes them, for the migration role.
    /// </summary>
    public static IReadOnlyList<AwsOperationPermission> DressRehearsal { get; } =
    [
        Write(
            "rds",
            "RestoreDBClusterToPointInTime",
            Restore(ResourceScope.SourceCluster, ResourceScope.DressRehearsalCluster)),
        Write(
            "rds",
            "CreateDBInstance",
            InstanceCreation(ResourceScope.DressRehearsalInstance, ResourceScope.DressRehearsalCluster)),
        Write("rds", "DeleteDBInstance", new IamGrant("rds:DeleteDBInstance", ResourceScope.DressRehearsalInstance)),
        Write("rds", "ModifyDBCluster", "the copy kept the cluster's deletion protection", new IamGrant("rds:ModifyDBCluster", ResourceScope.DressRehearsalCluster)),
        Write("rds", "DeleteDBCluster", new IamGrant("rds:DeleteDBCluster", ResourceScope.DressRehearsalCluster)),
        Write("rds", "AddTagsToResource", new IamGrant("rds:AddTagsToResource", ResourceScope.ClusterRekeyTags)),
        Write("rds", "RemoveTagsFromResource", new IamGrant("rds:RemoveTagsFromResource", ResourceScope.ClusterRekeyTags)),
    ];

    /// <summary>The entry for a call the dress rehearsal role makes: its own write, or a read every role has.</summary>
    public static AwsOperationPermission? FindForDressRehearsal(string service, string operation) =>
        DressRehearsal.FirstOrDefault(p => string.Equals(p.Service, service, StringComparison.OrdinalIgnoreCase) && string.Equals(p.Operation, operation, StringComparison.Ordinal))
        ?? (Find(service, operation, PolicyAccount.Source) is { ReadOnly: true } read ? read : null);

    private const string BlueGreen = "Blue/Green eligibility is read (Preflight, PrepareBlueGreenParameters)";

    private const string BlueGreenCutover = "the cutover uses Blue/Green (--strategy=blue-green, or auto choosing it)";

    private const string RestoreSwapCutover = "the cutover uses restore-swap (--strategy=restore-swap, or auto choosing it)";

    private const string ReplicaScaling = "the cluster has an Application Auto Scaling target for its replicas (Preflight and CreateBlueGreen read it, VerifyBlueGreen registers it again)";

    private const string DataApiSequences = "an Aurora PostgreSQL cluster with its RDS Data API on and --database-secret-arn given (Switchover and VerifyBlueGreen advance and check the sequences)";

    private const string BlueGreenFix = "PrepareBlueGreenParameters gives the cluster a parameter group copy for Blue/Green";

    /// <summary>The table's entry for a call, or null when Rekey is not expected to make it.</summary>
    public static AwsOperationPermission? Find(string service, string operation, PolicyAccount account) =>
        All.FirstOrDefault(p => p.Account == account
                                && string.Equals(p.Service, service, StringComparison.OrdinalIgnoreCase)
                                && string.Equals(p.Operation, operation, StringComparison.Ordinal));

    private static IamGrant Any(string action) => new(action, ResourceScope.Any);

    /// <summary>RDS authorizes a point-in-time restore on its source and on the cluster it creates; the new key needs a grant for RDS.</summary>
    private static IamGrant[] Restore(ResourceScope source, ResourceScope created) =>
    [
        new("rds:RestoreDBClusterToPointInTime", source),
        new("rds:RestoreDBClusterToPointInTime", created),
        new("rds:RestoreDBClusterToPointInTime", ResourceScope.RestoreInputs),
        new("rds:AddTagsToResource", created),
        new("kms:CreateGrant", ResourceScope.Key),
        new("kms:DescribeKey", ResourceScope.Key),
    ];

    /// <summary>A new instance is authorized on itself, its cluster and the groups it names; it passes the monitoring role.</summary>
    private static IamGrant[] InstanceCreation(ResourceScope instance, ResourceScope cluster) =>
    [
        new("rds:CreateDBInstance", instance),
        new("rds:CreateDBInstance", cluster),
        new("rds:CreateDBInstance", ResourceScope.RestoreInputs),
        new("rds:AddTagsToResource", instance),
        new("iam:PassRole", ResourceScope.PassedRoles),
    ];

    /// <summary>Creating a vault (in either account) tags it, mounts AWS Backup's storage and grants AWS Backup the vault's key.</summary>
    private static IamGrant[] VaultCreation() =>
    [
        new("backup:CreateBackupVault", ResourceScope.BackupVault),
        new("backup:TagResource", ResourceScope.BackupVault),
        new("backup-storage:MountCapsule", ResourceScope.Any),
        new("kms:CreateGrant", ResourceScope.BackupVaultKeys),
        new("kms:DescribeKey", ResourceScope.AccountKeys),
    ];

    private static AwsOperationPermission Read(string service, string operation, params IamGrant[] grants) =>
        new(service, operation, PolicyAccount.Source, ReadOnly: true, grants);

    private static AwsOperationPermission Read(string service, string operation, IamGrant grant, string onlyWhen) =>
        new(service, operation, PolicyAccount.Source, ReadOnly: true, [grant], onlyWhen);

    private static AwsOperationPermission ReadWhen(string service, string operation, string onlyWhen, params IamGrant[] grants) =>
        new(service, operation, PolicyAccount.Source, ReadOnly: true, grants, onlyWhen);

    private static AwsOperationPermission Write(string service, string operation, params IamGrant[] grants) =>
        new(service, operation, PolicyAccount.Source, ReadOnly: false, grants);

    private static AwsOperationPermission Write(string service, string operation, string onlyWhen, params IamGrant[] grants) =>
        new(service, operation, PolicyAccount.Source, ReadOnly: false, grants, onlyWhen);

    private static AwsOperationPermission WriteFor(Configuration.CutoverStrategy strategy, string service, string operation, string onlyWhen, params IamGrant[] grants) =>
        new(service, operation, PolicyAccount.Source, ReadOnly: false, grants, onlyWhen, strategy);

    private static AwsOperationPermission ReadIn(PolicyAccount account, string service, string operation, params IamGrant[] grants) =>
        new(service, operation, account, ReadOnly: true, grants);

    private static AwsOperationPermission WriteIn(PolicyAccount account, string service, string operation, params IamGrant[] grants) =>
        new(service, operation, account, ReadOnly: false, grants);
}
