namespace Rekey.Configuration;

/// <summary>
/// Everything the command line and the environment tell Rekey, read and checked once, before any step runs.
/// Which of these a step needs is the step's own rule; this type only guarantees that what is present is well formed.
/// </summary>
public sealed record RekeySettings
{
    public const string DefaultOldSuffix = "-old";
    public const int DefaultRuns = 3;
    public static readonly TimeSpan DefaultMinAge = TimeSpan.FromDays(7);
    public static readonly TimeSpan DefaultHeartbeatInterval = TimeSpan.FromMinutes(10);
    public static readonly TimeSpan DefaultSwitchoverTimeout = TimeSpan.FromSeconds(300);

    /// <summary>The DB cluster identifier to migrate, lower-cased as RDS stores it.</summary>
    public string? Cluster { get; init; }

    public string? Region { get; init; }

    /// <summary>Regions to scan; empty when <c>--regions=all</c> was asked for (<see cref="AllRegions"/>).</summary>
    public IReadOnlyList<string> Regions { get; init; } = [];

    public bool AllRegions { get; init; }

    public KmsKeyReference? KmsKey { get; init; }

    public bool CreateKey { get; init; }

    public string OldSuffix { get; init; } = DefaultOldSuffix;

    public string? BackupAccount { get; init; }

    public string? BackupVault { get; init; }

    public string? BackupRoleArn { get; init; }

    /// <summary>The role AWS Backup uses in the cluster's account; null means AWSBackupDefaultServiceRole.</summary>
    public string? BackupServiceRoleArn { get; init; }

    /// <summary>The backup account's key for its vault; null means Rekey's key under alias/rekey-backup-vault.</summary>
    public KmsKeyReference? BackupVaultKey { get; init; }

    /// <summary>The vault in the cluster's account; null means the same name as <see cref="BackupVault"/>.</summary>
    public string? SourceBackupVault { get; init; }

    /// <summary>The plan rule's schedule (cron(...) or rate(...)); null means the default.</summary>
    public string? BackupSchedule { get; init; }

    /// <summary>Days the cluster's account keeps a recovery point; null means the default.</summary>
    public int? BackupRetentionDays { get; init; }

    /// <summary>Days the backup account keeps a copy; null means the default.</summary>
    public int? CopyRetentionDays { get; init; }

    public bool ContinuousBackup { get; init; }

    public string? SnsTopicArn { get; init; }

    /// <summary>Aurora PostgreSQL Blue/Green: the Secrets Manager secret the RDS Data API signs in with, to advance the sequences.</summary>
    public string? DatabaseSecretArn { get; init; }

    public DnsServerAddress? DnsServer { get; init; }

    /// <summary>The cluster identifier the operator confirmed; mutating steps compare it with <see cref="Cluster"/>.</summary>
    public string? Confirm { get; init; }

    /// <summary>The deployment environment (a GitHub environment name), carried into notifications and reports.</summary>
    public string? Environment { get; init; }

    public TimeSpan MinAge { get; init; } = DefaultMinAge;

    public bool AcceptNewMasterSecret { get; init; }

    /// <summary>PrepareBlueGreenParameters may reboot the writer so the cluster parameter group copy applies.</summary>
    public bool FixParameterGroup { get; init; }

    /// <summary>How the cluster moves to the new key; auto lets Preflight choose.</summary>
    public CutoverStrategy Strategy { get; init; } = CutoverStrategy.Auto;

    /// <summary>During a wait longer than this (AWS time), the SNS topic hears how it goes once per interval.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = DefaultHeartbeatInterval;

    /// <summary>The plan a cutover is held to: Plan's digest (<c>sha256:...</c>) or the path of its plan.json.</summary>
    public string? ApprovedPlan { get; init; }

    /// <summary>SwitchoverBlueGreenDeployment's SwitchoverTimeout (AWS: 30..3600 s, default 300).</summary>
    public TimeSpan SwitchoverTimeout { get; init; } = DefaultSwitchoverTimeout;

    /// <summary>The operator ran the sequence statements on the new Aurora PostgreSQL cluster after a Blue/Green switchover.</summary>
    public bool SequencesAdvanced { get; init; }

    /// <summary>After a Blue/Green switchover, Rollback may restore-swap the cluster back onto its old key.</summary>
    public bool RestoreSwapBack { get; init; }

    public string ArtifactsDirectory { get; init; } = "artifacts";

    /// <summary>The GitHub repository (OWNER/NAME or OWNER@ID/NAME@ID) whose workflows the generated IAM roles trust.</summary>
    public string? GitHubRepo { get; init; }

    /// <summary>Folder for the generated IAM documents; null means <c>iam</c> under <see cref="ArtifactsDirectory"/>.</summary>
    public string? IamOutput { get; init; }

    /// <summary>IamPolicies for every cluster of the environment at once (--iam-scope=fleet): roles scoped by the operator's tag instead of the cluster's names.</summary>
    public bool IamFleet { get; init; }

    /// <summary>The run's identity for locks and tags; a re-run of a failed workflow keeps GitHub's run id and so resumes under its lock.</summary>
    public string? RunId { get; init; }

    /// <summary>The first pause between two looks at AWS while waiting.</summary>
    public TimeSpan? PollInterval { get; init; }

    /// <summary>The longest pause between two looks at AWS while waiting.</summary>
    public TimeSpan? MaxPollInterval { get; init; }

    /// <summary>The pause between two looks at AWS while the writers are down.</summary>
    public TimeSpan? OutagePollInterval { get; init; }

    /// <summary>The longest any single wait may last; null keeps each wait's own deadline.</summary>
    public TimeSpan? MaxWait { get; init; }

    /// <summary>How many rehearsals the Benchmark target runs.</summary>
    public int Runs { get; init; } = DefaultRuns;

    /// <summary>Rehearse and Benchmark: the seed of the sandbox's unruly mode; null keeps the sandbox tidy.</summary>
    public long? ChaosSeed { get; init; }
    /// <summary>
    /// AWS seconds per second of this run's clock: 1 against AWS; a rehearsal against a sandbox whose clock runs faster
    /// passes its speed, so that what Rekey expects AWS's operations to take is in the sandbox's time.
    /// </summary>
    public double? ClockSpeed { get; init; }

    /// <summary>Benchmark: how many cutovers the fleet benchmark runs in one account and Region; null runs the rehearsal instead.</summary>
    public int? Fleet { get; init; }

    /// <summary>Benchmark with <see cref="Fleet"/>: how many of them run at once, each in its own process.</summary>
    public int MaxParallel { get; init; } = DefaultMaxParallel;

    public const int DefaultMaxParallel = 25;

    /// <summary>The JSON of <c>terraform show -json PLANFILE</c>, checked by Preflight and Verify; already read once and found well formed.</summary>
    public string? TerraformPlan { get; init; }
}
