namespace Rekey.Configuration;

/// <summary>
/// The names of Rekey's own command-line arguments (<c>--name=value</c>), shared by the build host,
/// the workflow and the documentation.
/// </summary>
public static class ArgumentNames
{
    public const string Cluster = "cluster";
    public const string Region = "region";
    public const string Regions = "regions";
    public const string KmsKey = "kms-key";
    public const string CreateKey = "create-key";
    public const string OldSuffix = "old-suffix";
    public const string BackupAccount = "backup-account";
    public const string BackupVault = "backup-vault";
    public const string BackupRoleArn = "backup-role-arn";
    public const string BackupServiceRoleArn = "backup-service-role-arn";
    public const string BackupVaultKey = "backup-vault-key";
    public const string SourceBackupVault = "source-backup-vault";
    public const string BackupSchedule = "backup-schedule";
    public const string BackupRetentionDays = "backup-retention-days";
    public const string CopyRetentionDays = "copy-retention-days";
    public const string ContinuousBackup = "continuous-backup";
    public const string SnsTopicArn = "sns-topic-arn";

    public const string DatabaseSecretArn = "database-secret-arn";
    public const string DnsServer = "dns-server";
    public const string Confirm = "confirm";
    public const string Environment = "environment";
    public const string MinAge = "min-age";
    public const string AcceptNewMasterSecret = "accept-new-master-secret";
    public const string FixParameterGroup = "fix-parameter-group";
    public const string Strategy = "strategy";
    public const string SwitchoverTimeout = "switchover-timeout";
    public const string ApprovedPlan = "approved-plan";
    public const string HeartbeatInterval = "heartbeat-interval";
    public const string SequencesAdvanced = "sequences-advanced";
    public const string RestoreSwapBack = "restore-swap-back";
    public const string ArtifactsDirectory = "artifacts";
    public const string GitHubRepo = "github-repo";
    public const string IamOutput = "iam-output";
    public const string IamScope = "iam-scope";
    public const string RunId = "run-id";
    public const string PollInterval = "poll-interval";
    public const string MaxPollInterval = "max-poll-interval";
    public const string OutagePollInterval = "outage-poll-interval";
    public const string MaxWait = "max-wait";
    public const string Runs = "runs";
    public const string ChaosSeed = "chaos-seed";
    public const string Fleet = "fleet";
    public const string ClockSpeed = "clock-speed";
    public const string MaxParallel = "max-parallel";
    public const string TerraformPlan = "terraform-plan";
}
