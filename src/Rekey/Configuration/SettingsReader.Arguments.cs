namespace Rekey.Configuration;

/// <summary>Every argument Rekey knows, each in one entry: name, help line, parser and its place in the settings.</summary>
public static partial class SettingsReader
{
    // Each entry is one argument; the help, the documentation and the parsing all come from this list, in this order.
    private static readonly IReadOnlyList<Argument> Arguments =
    [
        Value(ArgumentNames.Cluster, "DB cluster identifier to migrate.", ParseIdentifier, (s, v) => s with { Cluster = v }, "REKEY_CLUSTER"),
        Value(ArgumentNames.Region, "AWS Region of the cluster.", ParseRegion, (s, v) => s with { Region = v }, "AWS_REGION", "AWS_DEFAULT_REGION"),
        Value(ArgumentNames.Regions, "Regions to scan, comma separated, or 'all'.", ParseRegions,
            (s, v) => v.All ? s with { AllRegions = true } : s with { Regions = v.Names }, "REKEY_REGIONS"),
        Value(ArgumentNames.KmsKey, "Target customer managed key: key id, key ARN, alias/NAME or alias ARN.", ParseKmsKey,
            (s, v) => s with { KmsKey = v }, "REKEY_KMS_KEY"),
        Flag(ArgumentNames.CreateKey, "Create the key (under the alias given with --kms-key) when it does not exist.", (s, v) => s with { CreateKey = v }),
        Value(ArgumentNames.OldSuffix, $"Suffix for the old cluster's and instances' names (default {RekeySettings.DefaultOldSuffix}).", ParseSuffix,
            (s, v) => s with { OldSuffix = v }, "REKEY_OLD_SUFFIX"),
        Value(ArgumentNames.BackupAccount, "12-digit AWS account that receives backup copies.", ParseAccount,
            (s, v) => s with { BackupAccount = v }, "REKEY_BACKUP_ACCOUNT"),
        Value(ArgumentNames.BackupVault, "Backup vault name in the backup account.", ParseVaultName, (s, v) => s with { BackupVault = v }, "REKEY_BACKUP_VAULT"),
        Value(ArgumentNames.BackupRoleArn, "IAM role to assume in the backup account.", ParseRoleArn, (s, v) => s with { BackupRoleArn = v }, "REKEY_BACKUP_ROLE_ARN"),
        Value(ArgumentNames.BackupServiceRoleArn, "IAM role AWS Backup uses in the cluster's account (default: service-role/AWSBackupDefaultServiceRole).", ParseRoleArn,
            (s, v) => s with { BackupServiceRoleArn = v }, "REKEY_BACKUP_SERVICE_ROLE_ARN"),
        Value(ArgumentNames.BackupVaultKey, "Key of the backup account for its vault: key id, ARN or alias (default: created under alias/rekey-backup-vault).", ParseKmsKey,
            (s, v) => s with { BackupVaultKey = v }, "REKEY_BACKUP_VAULT_KEY"),
        Value(ArgumentNames.SourceBackupVault, "Backup vault name in the cluster's account (default: the --backup-vault name).", ParseVaultName,
            (s, v) => s with { SourceBackupVault = v }, "REKEY_SOURCE_BACKUP_VAULT"),
        Value(ArgumentNames.BackupSchedule, "Schedule of the backup plan's rule, cron(...) or rate(...) (default cron(0 5 ? * * *), daily at 05:00 UTC).", ParseSchedule,
            (s, v) => s with { BackupSchedule = v }, "REKEY_BACKUP_SCHEDULE"),
        Value(ArgumentNames.BackupRetentionDays, "Days the cluster's account keeps each recovery point (default 35; at most 35 with --continuous-backup).", ParseDays,
            (s, v) => s with { BackupRetentionDays = v }, "REKEY_BACKUP_RETENTION_DAYS"),
        Value(ArgumentNames.CopyRetentionDays, "Days the backup account keeps each copy (default 90).", ParseDays,
            (s, v) => s with { CopyRetentionDays = v }, "REKEY_COPY_RETENTION_DAYS"),
        Flag(ArgumentNames.ContinuousBackup, "Continuous backup (point-in-time recovery) in the plan's rule; copies arrive as snapshots.",
            (s, v) => s with { ContinuousBackup = v }),
        Value(ArgumentNames.SnsTopicArn, "SNS topic that hears every step.", ParseTopicArn, (s, v) => s with { SnsTopicArn = v }, "REKEY_SNS_TOPIC_ARN"),
        Value(ArgumentNames.DatabaseSecretArn, "Aurora PostgreSQL Blue/Green: Secrets Manager secret for the RDS Data API, with which Rekey advances the sequences.",
            ParseSecretArn, (s, v) => s with { DatabaseSecretArn = v }, "REKEY_DATABASE_SECRET_ARN"),
        Value(ArgumentNames.DnsServer, "Name server (host:port) for endpoint checks instead of the system resolver.", ParseDnsServer,
            (s, v) => s with { DnsServer = v }, "REKEY_DNS_SERVER"),
        Value<string>(ArgumentNames.Confirm, "The cluster identifier again: required by every step that changes AWS.", v => (v.Trim().ToLowerInvariant(), null),
            (s, v) => s with { Confirm = v }),
        Value(ArgumentNames.Environment, "Deployment environment name, for notifications and reports.", Trimmed,
            (s, v) => s with { Environment = v }, "REKEY_ENVIRONMENT").TakingAnyText(),
        Value(ArgumentNames.MinAge, "How long after the cutover Cleanup may delete the old cluster (e.g. 7d, 36h).", DurationLimits.MinAge.Parse,
            (s, v) => s with { MinAge = v }, "REKEY_MIN_AGE"),
        Flag(ArgumentNames.AcceptNewMasterSecret, "Accept that a Secrets Manager managed master password gets a new secret.",
            (s, v) => s with { AcceptNewMasterSecret = v }),
        Flag(ArgumentNames.FixParameterGroup, "Reboot the writer to apply Blue/Green's cluster parameter group copy (a short outage).",
            (s, v) => s with { FixParameterGroup = v }),
        Value(ArgumentNames.Strategy, "auto (default: Blue/Green where the cluster is eligible, else restore-swap), blue-green or restore-swap.", ParseStrategy,
            (s, v) => s with { Strategy = v }, "REKEY_STRATEGY"),
        Value(ArgumentNames.SwitchoverTimeout, "Blue/Green switchover timeout in seconds, 30 to 3600 (default 300); AWS rolls the switchover back when it lapses.",
            ParseSwitchoverTimeout, (s, v) => s with { SwitchoverTimeout = v }, "REKEY_SWITCHOVER_TIMEOUT"),
        Value(ArgumentNames.HeartbeatInterval, "During a long wait, tell the SNS topic how it goes this often, in AWS time (default 10m; 1m to 1d).",
            DurationLimits.HeartbeatInterval.Parse, (s, v) => s with { HeartbeatInterval = v }, "REKEY_HEARTBEAT_INTERVAL"),
        Value(ArgumentNames.ApprovedPlan, "The plan that was approved: Plan's digest (sha256:...) or its plan.json; a cutover that would now do otherwise is refused (exit 3) "
            + "before any change, naming what changed.", ParseApprovedPlan, (s, v) => s with { ApprovedPlan = v }, "REKEY_APPROVED_PLAN"),
        Flag(ArgumentNames.SequencesAdvanced, "Aurora PostgreSQL after a Blue/Green switchover: the printed setval statements were run on the new cluster.",
            (s, v) => s with { SequencesAdvanced = v }),
        Flag(ArgumentNames.RestoreSwapBack, "Rollback after a Blue/Green switchover: restore-swap the cluster back onto its old key (writes since the switchover are kept).",
            (s, v) => s with { RestoreSwapBack = v }),
        Value(ArgumentNames.ArtifactsDirectory, "Folder for reports and plans (default artifacts).", Trimmed,
            (s, v) => s with { ArtifactsDirectory = v }, "REKEY_ARTIFACTS").TakingAnyText(),
        Value(ArgumentNames.GitHubRepo, "GitHub repository whose workflows the IAM roles trust: OWNER/NAME, or OWNER@ID/NAME@ID for immutable subjects.",
            ParseGitHubRepo, (s, v) => s with { GitHubRepo = v }, "GITHUB_REPOSITORY"),
        Value(ArgumentNames.IamOutput, "Folder for the generated IAM policies (default: iam under the artifacts folder).", Trimmed,
            (s, v) => s with { IamOutput = v }).TakingAnyText(),
        Value(ArgumentNames.IamScope, "cluster (default: roles scoped to --cluster's names) or fleet (one role set for every cluster of --environment, "
            + "scoped by the rekey-environment tag).", ParseIamScope, (s, v) => s with { IamFleet = v }),
        Value(ArgumentNames.RunId, "This run's identity for the lock and tags (default: the GitHub run id, else a new one); give a dead run's id to resume it.",
            ParseRunId, (s, v) => s with { RunId = v }, "REKEY_RUN_ID", "GITHUB_RUN_ID"),
        Value(ArgumentNames.PollInterval, "First pause between two looks at AWS while waiting (default 5s).", DurationLimits.PollInterval.Parse,
            (s, v) => s with { PollInterval = v }, "REKEY_POLL_INTERVAL"),
        Value(ArgumentNames.MaxPollInterval, "Longest pause between two looks at AWS while waiting (default 30s).", DurationLimits.MaxPollInterval.Parse,
            (s, v) => s with { MaxPollInterval = v }, "REKEY_MAX_POLL_INTERVAL"),
        Value(ArgumentNames.OutagePollInterval, "Pause between two looks at AWS while the writers are down, without backing off (default 2s, "
            + "or --poll-interval when that is shorter).", DurationLimits.OutagePollInterval.Parse,
            (s, v) => s with { OutagePollInterval = v }, "REKEY_OUTAGE_POLL_INTERVAL"),
        Value(ArgumentNames.MaxWait, "Caps every wait's deadline (e.g. 30m); by default each wait has its own, from 15 minutes for DNS to 4 hours for a restore.",
            DurationLimits.MaxWait.Parse, (s, v) => s with { MaxWait = v }, "REKEY_MAX_WAIT"),
        Value(ArgumentNames.Runs, $"How many rehearsals Benchmark runs (default {RekeySettings.DefaultRuns}).", ParseRuns, (s, v) => s with { Runs = v }, "REKEY_RUNS"),
        Value(ArgumentNames.ChaosSeed, "Rehearse and Benchmark: run the sandbox in its unruly mode under this seed (late and lingering DNS names, late metrics, "
            + "a whole-second clock, IAM delays).", ParseChaosSeed, (s, v) => s with { ChaosSeed = v }, "REKEY_CHAOS_SEED"),
        Value<string>(ArgumentNames.TerraformPlan, "JSON of `terraform show -json PLANFILE`: "
            + "Preflight and Verify refuse a plan that replaces or deletes the cluster's resources.", v => (v.Trim(), Terraform.TerraformPlanFile.ProblemWith(v.Trim())),
            (s, v) => s with { TerraformPlan = v }, "REKEY_TERRAFORM_PLAN").TakingAnyText(),
        Value(ArgumentNames.ClockSpeed, "Rehearsals against a sandbox whose clock runs faster: its speed (AWS seconds per real second, default 1), "
            + "so that the expected durations of AWS's operations are in its time.", ParseClockSpeed, (s, v) => s with { ClockSpeed = v }, "REKEY_CLOCK_SPEED"),
        Value(ArgumentNames.Fleet, "Benchmark: N restore-swap cutovers in one account and Region, each in its own process, under RDS's API rate limit (1 to 500).",
            t => ParseCount(t, "cutovers", 500), (s, v) => s with { Fleet = v }, "REKEY_FLEET"),
        Value(ArgumentNames.MaxParallel, $"Benchmark --fleet: how many cutovers run at once (1 to 100, default {RekeySettings.DefaultMaxParallel}).",
            t => ParseCount(t, "cutovers at once", 100), (s, v) => s with { MaxParallel = v }, "REKEY_MAX_PARALLEL"),
    ];

    /// <summary>How each argument is written, in the order of the help and the documentation.</summary>
    public static IReadOnlyList<ArgumentDefinition> Definitions { get; } = Arguments.Select(a => a.Definition).ToList();
}
