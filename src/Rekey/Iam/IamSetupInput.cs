using Rekey.Configuration;

namespace Rekey.Iam;

/// <summary>Everything the generated roles are scoped to: the account, the cluster as it is, and the run's settings.</summary>
public sealed record IamSetupInput
{
    public required string Partition { get; init; }

    public required string Account { get; init; }

    public required string Region { get; init; }

    public required GitHubRepository Repository { get; init; }

    /// <summary>The GitHub environment whose reviewers approve the mutating jobs; its read-only twin is <c>&lt;environment&gt;-plan</c>.</summary>
    public required string Environment { get; init; }

    public required string ClusterId { get; init; }

    public string OldSuffix { get; init; } = RekeySettings.DefaultOldSuffix;

    public IReadOnlyList<string> InstanceIds { get; init; } = [];

    public IReadOnlyList<string> CustomEndpointNames { get; init; } = [];

    /// <summary>The cluster parameter group, subnet group and instance parameter groups a restore and new instances name.</summary>
    public IReadOnlyList<string> ClusterParameterGroups { get; init; } = [];

    public IReadOnlyList<string> SubnetGroups { get; init; } = [];

    public IReadOnlyList<string> InstanceParameterGroups { get; init; } = [];

    /// <summary>Roles handed to RDS or AWS Backup: the cluster's feature roles, the monitoring role, the AWS Backup service role.</summary>
    public IReadOnlyList<string> PassedRoleArns { get; init; } = [];

    /// <summary>The role AWS Backup works with in the cluster's account; null when no backup account is given.</summary>
    public string? BackupServiceRoleArn { get; init; }

    public required KmsKeyReference Key { get; init; }

    public string? TopicArn { get; init; }

    /// <summary>The Secrets Manager secret the RDS Data API signs in with (--database-secret-arn); null when none is given.</summary>
    public string? DatabaseSecretArn { get; init; }

    public string? BackupAccount { get; init; }

    /// <summary>The destination vault in the backup account.</summary>
    public string? BackupVault { get; init; }

    /// <summary>The vault in the cluster's account that the plan backs up into; null means the same name as <see cref="BackupVault"/>.</summary>
    public string? SourceBackupVault { get; init; }

    /// <summary>
    /// One role set for every cluster of the environment: grants scoped by the operator's
    /// <see cref="IamPolicyGenerator.FleetTagKey"/> tag and the names Rekey gives, not by the cluster's names,
    /// so the documents keep their size whatever the fleet's size.
    /// </summary>
    public bool Fleet { get; init; }

    /// <summary>The clusters tagged for the environment when the fleet's roles were generated (for the set-up page; the policies do not name them).</summary>
    public IReadOnlyList<string> FleetClusterIds { get; init; } = [];

    /// <summary>The cutover strategy the roles are for: restore-swap leaves out Blue/Green's changes, blue-green the restore's; auto grants both.</summary>
    public CutoverStrategy Strategy { get; init; } = CutoverStrategy.Auto;

    /// <summary>The workflow files that alone may assume the roles (one cluster, and the fleet), as GitHub's job_workflow_ref claim names them.</summary>
    public IReadOnlyList<string> WorkflowPaths { get; init; } = [".github/workflows/rekey.yml", ".github/workflows/rekey-fleet.yml"];

    /// <summary>The git ref of that workflow file (the default branch, where its changes are reviewed).</summary>
    public string WorkflowRef { get; init; } = "refs/heads/main";

    public string PlanEnvironment => $"{Environment}-plan";

    public string PlanRoleName => $"rekey-{Environment}-plan";

    public string MigrationRoleName => $"rekey-{Environment}-migration";

    /// <summary>The role of the dress rehearsal job: the plan role's reads, and changes only to its throw-away copy.</summary>
    public string DressRehearsalRoleName => $"rekey-{Environment}-dress-rehearsal";

    public string BackupRoleName => $"rekey-{Environment}-backup";

    public string BackupReaderRoleName => $"rekey-{Environment}-backup-reader";

    public string RoleArn(string account, string roleName) => $"arn:{Partition}:iam::{account}:role/{roleName}";

    public string OidcProviderArn => $"arn:{Partition}:iam::{Account}:oidc-provider/{IamPolicyGenerator.GitHubTokenIssuer}";
}
