namespace Rekey.Iam;

/// <summary>Which account's role makes a call: the cluster's account, or the backup account through the chained role.</summary>
public enum PolicyAccount
{
    Source,
    Backup,
}

/// <summary>The resources an IAM action is granted on; <see cref="IamPolicyGenerator"/> turns each into ARNs (and conditions).</summary>
public enum ResourceScope
{
    /// <summary>The action takes no resource (Describe and List calls over the account, GetMetricData): "*".</summary>
    Any,

    /// <summary>The cluster under its original and its renamed identifier.</summary>
    Clusters,

    /// <summary>Every instance of the cluster under its original and its renamed identifier.</summary>
    Instances,

    /// <summary>The final snapshots Rekey takes of the clusters (cleanup and rollback name them after the cluster).</summary>
    Snapshots,

    /// <summary>The cluster's custom endpoints.</summary>
    CustomEndpoints,

    /// <summary>The parameter groups and subnet group a restore or a new instance names.</summary>
    RestoreInputs,

    /// <summary>The cluster parameter group copy PrepareBlueGreenParameters makes (rekey-&lt;cluster&gt;-bluegreen).</summary>
    BlueGreenParameterGroup,

    /// <summary>RDS Proxies and their target groups in the account and Region (their identifiers are generated).</summary>
    Proxies,

    /// <summary>The target key: its ARN, or any key the alias points to.</summary>
    Key,

    /// <summary>Keys Rekey creates, recognised by the tag it puts on them at creation.</summary>
    CreatedKeys,

    /// <summary>Creating a key (no resource exists yet): allowed only with Rekey's tag in the request.</summary>
    KeyCreation,

    /// <summary>The alias the key is created under.</summary>
    Alias,

    /// <summary>The alias of the destination vault's key in the backup account.</summary>
    VaultKeyAlias,

    /// <summary>Any key of the account in the Region, for reading (the cluster's current key, the backup account's vault key).</summary>
    AccountKeys,

    /// <summary>A key of the account used by AWS Backup for a vault Rekey creates: grants only through AWS Backup (kms:ViaService).</summary>
    BackupVaultKeys,

    /// <summary>The SNS topic that hears every step.</summary>
    Topic,

    /// <summary>The Secrets Manager secret the RDS Data API reads for Rekey (--database-secret-arn).</summary>
    DatabaseSecret,

    /// <summary>The backup vault of this account (the source vault, or the destination vault in the backup account).</summary>
    BackupVault,

    /// <summary>Backup plans of the account (their ARNs end in generated ids).</summary>
    BackupPlans,

    /// <summary>Recovery points of the account.</summary>
    RecoveryPoints,

    /// <summary>The throw-away cluster a dress rehearsal restores (&lt;cluster&gt;-rekey-dress).</summary>
    DressRehearsalCluster,

    /// <summary>The writer a dress rehearsal creates in its throw-away cluster (&lt;cluster&gt;-rekey-dress-1).</summary>
    DressRehearsalInstance,

    /// <summary>The cluster under its original identifier, as the source a dress rehearsal restores from.</summary>
    SourceCluster,

    /// <summary>The cluster under its original identifier, for its <c>rekey:</c> tags only (the dress rehearsal's lock and measurements).</summary>
    ClusterRekeyTags,

    /// <summary>The IAM roles a call hands to a service: the cluster's feature roles, the monitoring role, the AWS Backup service role.</summary>
    PassedRoles,

    /// <summary>The role in the backup account that the chain assumes.</summary>
    BackupAccountRole,

    /// <summary>The AWS Backup service role of the cluster's account, which BackupPreflight reads to prove it exists.</summary>
    BackupServiceRole,

    /// <summary>Application Auto Scaling's service-linked role for Aurora, which registering a scalable target creates when the account lacks it.</summary>
    AutoScalingServiceLinkedRole,

    /// <summary>The cluster a restore creates under its original identifier: by name, or in a fleet role by the operator's tag in the request.</summary>
    CreatedClusters,

    /// <summary>The instances a cutover creates in the new cluster: by name, or in a fleet role by the operator's tag in the request.</summary>
    CreatedInstances,

    /// <summary>The custom endpoints created again on the new cluster: by name, or in a fleet role by the operator's tag in the request (Rekey gives them the cluster's tags).</summary>
    CreatedCustomEndpoints,

    /// <summary>Rekey's Blue/Green deployment of the cluster (AWS names it bgd-...): by its rekey:original-id tag.</summary>
    BlueGreenDeployment,

    /// <summary>Creating Rekey's Blue/Green deployment: by the rekey:original-id tag in the request.</summary>
    BlueGreenDeploymentCreation,

    /// <summary>Green's cluster, instances and endpoints (AWS names them): by the tags green copies from blue (rekey:original-id, or the operator's tag in a fleet role).</summary>
    GreenResources,

    /// <summary>Green's resources as the deployment creates them: by the same tags, in the request.</summary>
    GreenCreation,

    /// <summary>Application Auto Scaling's scalable targets (AWS names them): only Aurora's replica count dimension.</summary>
    ScalableTargets,

    /// <summary>The CloudWatch alarms a target tracking policy creates for the cluster (TargetTracking-cluster:&lt;cluster&gt;-...).</summary>
    AutoScalingAlarms,

    /// <summary>The replicas Application Auto Scaling adds and removes (AWS names them application-autoscaling-...).</summary>
    AutoScaledReplicas,
}

/// <summary>One IAM action on one scope.</summary>
public sealed record IamGrant(string Action, ResourceScope Scope);

/// <summary>
/// An AWS operation Rekey calls and every IAM action it needs: its own, and those AWS checks on the
/// caller for what the request carries (tags, a key, a role passed to the service).
/// </summary>
/// <param name="Service">The service's signing name, as the call record and SigV4 name it (rds, kms, sts, monitoring, sns, backup, organizations, iam, application-autoscaling).</param>
/// <param name="Operation">The API operation name.</param>
/// <param name="Account">Whose role calls it.</param>
/// <param name="ReadOnly">Whether the call changes nothing (the plan role gets only these).</param>
/// <param name="Grants">The IAM actions the call needs; empty for calls that need no permission (sts:GetCallerIdentity).</param>
/// <param name="OnlyWhen">For a call made only in some situations, which; null for a call every run of its phase makes.</param>
/// <param name="Strategy">The cutover strategy whose changes need the call; null when any run may make it.</param>
public sealed record AwsOperationPermission(
    string Service,
    string Operation,
    PolicyAccount Account,
    bool ReadOnly,
    IReadOnlyList<IamGrant> Grants,
    string? OnlyWhen = null,
    Configuration.CutoverStrategy? Strategy = null)
{
    /// <summary>Whether a role for a cutover by <paramref name="strategy"/> needs the call (auto may run either).</summary>
    public bool ServesStrategy(Configuration.CutoverStrategy strategy) =>
        ReadOnly || Strategy is null || strategy == Configuration.CutoverStrategy.Auto || Strategy == strategy;
}
