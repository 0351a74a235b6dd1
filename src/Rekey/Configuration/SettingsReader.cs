using System.Globalization;
using System.Text.RegularExpressions;

namespace Rekey.Configuration;

/// <summary>
/// Turns <c>--name=value</c> arguments and environment variables into <see cref="RekeySettings"/>,
/// or fails with every problem named, before anything has run.
/// </summary>
public static partial class SettingsReader
{
    public static IReadOnlyList<ArgumentDefinition> Definitions { get; } =
    [
        new(ArgumentNames.Cluster, "DB cluster identifier to migrate.", false, "REKEY_CLUSTER"),
        new(ArgumentNames.Region, "AWS Region of the cluster.", false, "AWS_REGION", "AWS_DEFAULT_REGION"),
        new(ArgumentNames.Regions, "Regions to scan, comma separated, or 'all'.", false, "REKEY_REGIONS"),
        new(ArgumentNames.KmsKey, "Target customer managed key: key id, key ARN, alias/NAME or alias ARN.", false, "REKEY_KMS_KEY"),
        new(ArgumentNames.CreateKey, "Create the key (under the alias given with --kms-key) when it does not exist.", true),
        new(ArgumentNames.OldSuffix, $"Suffix for the old cluster's and instances' names (default {RekeySettings.DefaultOldSuffix}).", false, "REKEY_OLD_SUFFIX"),
        new(ArgumentNames.BackupAccount, "12-digit AWS account that receives backup copies.", false, "REKEY_BACKUP_ACCOUNT"),
        new(ArgumentNames.BackupVault, "Backup vault name in the backup account.", false, "REKEY_BACKUP_VAULT"),
        new(ArgumentNames.BackupRoleArn, "IAM role to assume in the backup account.", false, "REKEY_BACKUP_ROLE_ARN"),
        new(ArgumentNames.BackupServiceRoleArn, "IAM role AWS Backup uses in the cluster's account (default: service-role/AWSBackupDefaultServiceRole).", false, "REKEY_BACKUP_SERVICE_ROLE_ARN"),
        new(ArgumentNames.BackupVaultKey, "Key of the backup account for its vault: key id, ARN or alias (default: created under alias/rekey-backup-vault).", false, "REKEY_BACKUP_VAULT_KEY"),
        new(ArgumentNames.SourceBackupVault, "Backup vault name in the cluster's account (default: the --backup-vault name).", false, "REKEY_SOURCE_BACKUP_VAULT"),
        new(ArgumentNames.BackupSchedule, "Schedule of the backup plan's rule, cron(...) or rate(...) (default cron(0 5 ? * * *), daily at 05:00 UTC).", false, "REKEY_BACKUP_SCHEDULE"),
        new(ArgumentNames.BackupRetentionDays, "Days the cluster's account keeps each recovery point (default 35; at most 35 with --continuous-backup).", false, "REKEY_BACKUP_RETENTION_DAYS"),
        new(ArgumentNames.CopyRetentionDays, "Days the backup account keeps each copy (default 90).", false, "REKEY_COPY_RETENTION_DAYS"),
        new(ArgumentNames.ContinuousBackup, "Continuous backup (point-in-time recovery) in the plan's rule; copies arrive as snapshots.", true),
        new(ArgumentNames.SnsTopicArn, "SNS topic that hears every step.", false, "REKEY_SNS_TOPIC_ARN"),
        new(ArgumentNames.DatabaseSecretArn, "Aurora PostgreSQL Blue/Green: Secrets Manager secret for the RDS Data API, with which Rekey advances the sequences.", false, "REKEY_DATABASE_SECRET_ARN"),
        new(ArgumentNames.DnsServer, "Name server (host:port) for endpoint checks instead of the system resolver.", false, "REKEY_DNS_SERVER"),
        new(ArgumentNames.Confirm, "The cluster identifier again: required by every step that changes AWS.", false),
        new(ArgumentNames.Environment, "Deployment environment name, for notifications and reports.", false, "REKEY_ENVIRONMENT") { AnyText = true },
        new(ArgumentNames.MinAge, "How long after the cutover Cleanup may delete the old cluster (e.g. 7d, 36h).", false, "REKEY_MIN_AGE"),
        new(ArgumentNames.AcceptNewMasterSecret, "Accept that a Secrets Manager managed master password gets a new secret.", true),
        new(ArgumentNames.FixParameterGroup, "Reboot the writer to apply Blue/Green's cluster parameter group copy (a short outage).", true),
        new(ArgumentNames.Strategy, "auto (default: Blue/Green where the cluster is eligible, else restore-swap), blue-green or restore-swap.", false, "REKEY_STRATEGY"),
        new(ArgumentNames.SwitchoverTimeout, "Blue/Green switchover timeout in seconds, 30 to 3600 (default 300); AWS rolls the switchover back when it lapses.", false, "REKEY_SWITCHOVER_TIMEOUT"),
        new(ArgumentNames.HeartbeatInterval, "During a long wait, tell the SNS topic how it goes this often, in AWS time (default 10m; 1m to 1d).", false, "REKEY_HEARTBEAT_INTERVAL"),
        new(ArgumentNames.ApprovedPlan, "The plan that was approved: Plan's digest (sha256:...) or its plan.json; a cutover that would now do otherwise is refused (exit 3) before any change, "
            + "naming what changed.", false, "REKEY_APPROVED_PLAN"),
        new(ArgumentNames.SequencesAdvanced, "Aurora PostgreSQL after a Blue/Green switchover: the printed setval statements were run on the new cluster.", true),
        new(ArgumentNames.RestoreSwapBack, "Rollback after a Blue/Green switchover: restore-swap the cluster back onto its old key (writes since the switchover are kept).", true),
        new(ArgumentNames.ArtifactsDirectory, "Folder for reports and plans (default artifacts).", false, "REKEY_ARTIFACTS") { AnyText = true },
        new(ArgumentNames.GitHubRepo, "GitHub repository whose workflows the IAM roles trust: OWNER/NAME, or OWNER@ID/NAME@ID for immutable subjects.", false, "GITHUB_REPOSITORY"),
        new(ArgumentNames.IamOutput, "Folder for the generated IAM policies (default: iam under the artifacts folder).", false) { AnyText = true },
        new(ArgumentNames.IamScope, "cluster (default: roles scoped to --cluster's names) or fleet (one role set for every cluster of --environment, scoped by the rekey-environment tag).", false),
        new(ArgumentNames.RunId, "This run's identity for the lock and tags (default: the GitHub run id, else a new one); give a dead run's id to resume it.", false, "REKEY_RUN_ID", "GITHUB_RUN_ID"),
        new(ArgumentNames.PollInterval, "First pause between two looks at AWS while waiting (default 5s).", false, "REKEY_POLL_INTERVAL"),
        new(ArgumentNames.MaxPollInterval, "Longest pause between two looks at AWS while waiting (default 30s).", false, "REKEY_MAX_POLL_INTERVAL"),
        new(ArgumentNames.OutagePollInterval, "Pause between two looks at AWS while the writers are down, without backing off (default 2s, "
            + "or --poll-interval when that is shorter).", false, "REKEY_OUTAGE_POLL_INTERVAL"),
        new(ArgumentNames.MaxWait, "Caps every wait's deadline (e.g. 30m); by default each wait has its own, from 15 minutes for DNS to 4 hours for a restore.", false, "REKEY_MAX_WAIT"),
        new(ArgumentNames.Runs, $"How many rehearsals Benchmark runs (default {RekeySettings.DefaultRuns}).", false, "REKEY_RUNS"),
        new(ArgumentNames.ChaosSeed, "Rehearse and Benchmark: run the sandbox in its unruly mode under this seed (late and lingering DNS names, late metrics, a whole-second clock, "
            + "IAM delays).", false, "REKEY_CHAOS_SEED"),
        new(ArgumentNames.TerraformPlan, "JSON of `terraform show -json PLANFILE`: "
            + "Preflight and Verify refuse a plan that replaces or deletes the cluster's resources.", false, "REKEY_TERRAFORM_PLAN") { AnyText = true },
        new(ArgumentNames.ClockSpeed, "Rehearsals against a sandbox whose clock runs faster: its speed (AWS seconds per real second, default 1), "
            + "so that the expected durations of AWS's operations are in its time.", false, "REKEY_CLOCK_SPEED"),
        new(ArgumentNames.Fleet, "Benchmark: N restore-swap cutovers in one account and Region, each in its own process, under RDS's API rate limit (1 to 500).", false, "REKEY_FLEET"),
        new(ArgumentNames.MaxParallel, $"Benchmark --fleet: how many cutovers run at once (1 to 100, default {RekeySettings.DefaultMaxParallel}).", false, "REKEY_MAX_PARALLEL"),
    ];

    /// <summary>Reads and checks the arguments.</summary>
    /// <param name="arguments">Argument values by name (without dashes); a bare flag has an empty or null value.</param>
    /// <param name="environment">Looks up an environment variable.</param>
    /// <param name="hostArguments">Names the host itself owns (target, verbosity, ...); they are not Rekey's to check.</param>
    public static RekeySettings Read(
        IReadOnlyDictionary<string, IReadOnlyList<string?>> arguments,
        Func<string, string?> environment,
        IReadOnlySet<string> hostArguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(hostArguments);

        var given = new GivenValues();
        given.TakeArguments(arguments, hostArguments);
        given.TakeEnvironment(environment);
        given.RejectNonAscii();

        var settings = ReadRegions(given, Parse(given));
        if (settings.PollInterval > settings.MaxPollInterval)
        {
            given.Problems.Add(
                $"--{ArgumentNames.PollInterval} ({settings.PollInterval}) is longer than --{ArgumentNames.MaxPollInterval} "
                + $"({settings.MaxPollInterval}); the first pause cannot exceed the longest.");
        }

        if (given.Problems.Count > 0)
        {
            throw new InvalidArgumentsException(given.Problems);
        }

        return settings;
    }

    /// <summary>Every argument's value parsed into the settings; a value that does not parse is a problem and stays unset.</summary>
    private static RekeySettings Parse(GivenValues given) => new()
    {
        Cluster = given.Parsed(ArgumentNames.Cluster, ParseIdentifier),
        Region = given.Parsed(ArgumentNames.Region, ParseRegion),
        KmsKey = given.Parsed(ArgumentNames.KmsKey, ParseKmsKey),
        CreateKey = given.Flag(ArgumentNames.CreateKey),
        OldSuffix = given.Parsed(ArgumentNames.OldSuffix, ParseSuffix) ?? RekeySettings.DefaultOldSuffix,
        BackupAccount = given.Parsed(ArgumentNames.BackupAccount, ParseAccount),
        BackupVault = given.Parsed(ArgumentNames.BackupVault, ParseVaultName),
        BackupRoleArn = given.Parsed(ArgumentNames.BackupRoleArn, ParseRoleArn),
        BackupServiceRoleArn = given.Parsed(ArgumentNames.BackupServiceRoleArn, ParseRoleArn),
        BackupVaultKey = given.Parsed(ArgumentNames.BackupVaultKey, ParseKmsKey),
        SourceBackupVault = given.Parsed(ArgumentNames.SourceBackupVault, ParseVaultName),
        BackupSchedule = given.Parsed(ArgumentNames.BackupSchedule, ParseSchedule),
        BackupRetentionDays = given.Parsed(ArgumentNames.BackupRetentionDays, ParseDays),
        CopyRetentionDays = given.Parsed(ArgumentNames.CopyRetentionDays, ParseDays),
        ContinuousBackup = given.Flag(ArgumentNames.ContinuousBackup),
        SnsTopicArn = given.Parsed(ArgumentNames.SnsTopicArn, ParseTopicArn),
        DatabaseSecretArn = given.Parsed(ArgumentNames.DatabaseSecretArn, ParseSecretArn),
        DnsServer = given.Parsed(ArgumentNames.DnsServer, ParseDnsServer),
        Confirm = given.Parsed<string?>(ArgumentNames.Confirm, v => (v.Trim().ToLowerInvariant(), null)),
        Environment = given.Parsed(ArgumentNames.Environment, Trimmed),
        MinAge = given.Parsed(ArgumentNames.MinAge, DurationLimits.MinAge.Parse) ?? RekeySettings.DefaultMinAge,
        AcceptNewMasterSecret = given.Flag(ArgumentNames.AcceptNewMasterSecret),
        FixParameterGroup = given.Flag(ArgumentNames.FixParameterGroup),
        Strategy = given.Parsed(ArgumentNames.Strategy, ParseStrategy) ?? CutoverStrategy.Auto,
        SwitchoverTimeout = given.Parsed(ArgumentNames.SwitchoverTimeout, ParseSwitchoverTimeout) ?? RekeySettings.DefaultSwitchoverTimeout,
        SequencesAdvanced = given.Flag(ArgumentNames.SequencesAdvanced),
        ApprovedPlan = given.Parsed(ArgumentNames.ApprovedPlan, ParseApprovedPlan),
        HeartbeatInterval = given.Parsed(ArgumentNames.HeartbeatInterval, DurationLimits.HeartbeatInterval.Parse) ?? RekeySettings.DefaultHeartbeatInterval,
        RestoreSwapBack = given.Flag(ArgumentNames.RestoreSwapBack),
        ArtifactsDirectory = given.Parsed(ArgumentNames.ArtifactsDirectory, Trimmed) ?? "artifacts",
        GitHubRepo = given.Parsed(ArgumentNames.GitHubRepo, ParseGitHubRepo),
        IamOutput = given.Parsed(ArgumentNames.IamOutput, Trimmed),
        IamFleet = given.Parsed(ArgumentNames.IamScope, ParseIamScope) ?? false,
        RunId = given.Parsed(ArgumentNames.RunId, ParseRunId),
        PollInterval = given.Parsed(ArgumentNames.PollInterval, DurationLimits.PollInterval.Parse),
        MaxPollInterval = given.Parsed(ArgumentNames.MaxPollInterval, DurationLimits.MaxPollInterval.Parse),
        OutagePollInterval = given.Parsed(ArgumentNames.OutagePollInterval, DurationLimits.OutagePollInterval.Parse),
        MaxWait = given.Parsed(ArgumentNames.MaxWait, DurationLimits.MaxWait.Parse),
        TerraformPlan = given.Parsed(ArgumentNames.TerraformPlan, v => (v.Trim(), Terraform.TerraformPlanFile.ProblemWith(v.Trim()))),
        Runs = given.Parsed(ArgumentNames.Runs, ParseRuns) ?? RekeySettings.DefaultRuns,
        ChaosSeed = given.Parsed(ArgumentNames.ChaosSeed, ParseChaosSeed),
        ClockSpeed = given.Parsed(ArgumentNames.ClockSpeed, ParseClockSpeed),
        Fleet = given.Parsed(ArgumentNames.Fleet, t => ParseCount(t, "cutovers", 500)),
        MaxParallel = given.Parsed(ArgumentNames.MaxParallel, t => ParseCount(t, "cutovers at once", 100)) ?? RekeySettings.DefaultMaxParallel,
    };

    private static (string? Value, string? Problem) Trimmed(string text) => (text.Trim(), null);

    /// <summary>--regions: 'all', or a list of Regions the SDK knows.</summary>
    private static RekeySettings ReadRegions(GivenValues given, RekeySettings settings)
    {
        var regions = given.Parsed<string?>(ArgumentNames.Regions, v => (v, null));
        if (regions is null)
        {
            return settings;
        }

        if (string.Equals(regions.Trim(), "all", StringComparison.OrdinalIgnoreCase))
        {
            return settings with { AllRegions = true };
        }

        var origin = given.Origin(ArgumentNames.Regions);
        var list = regions.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var malformed = list.Where(r => !RegionPattern().IsMatch(r)).ToList();
        var unknown = list.Except(malformed).Where(r => !IsKnownRegion(r)).ToList();
        if (list.Length == 0 || malformed.Count > 0)
        {
            given.Problems.Add($"{origin}: '{regions}' is not a comma-separated list of Regions (e.g. eu-west-1,us-east-1) or 'all'.");
            return settings;
        }

        if (unknown.Count > 0)
        {
            var names = string.Join(", ", unknown.Select(r => $"'{r}'"));
            given.Problems.Add($"{origin}: {names} {(unknown.Count == 1 ? "is not a Region" : "are not Regions")} the AWS SDK knows; {KnownRegionsHint}");
            return settings;
        }

        return settings with { Regions = list.Distinct(StringComparer.Ordinal).ToList() };
    }

    /// <summary>The RDS identifier rules: 1 to 63 letters, digits or hyphens, a letter first, no trailing or double hyphen.</summary>
    public static bool IsValidDbIdentifier(string identifier) =>
        identifier.Length is >= 1 and <= 63 && IdentifierPattern().IsMatch(identifier)
        && !identifier.EndsWith('-') && !identifier.Contains("--", StringComparison.Ordinal);

    private static ArgumentDefinition? Find(string name) =>
        Definitions.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase));

    private static string UnknownArgument(string name)
    {
        var closest = Definitions
            .Select(d => (d.Name, Distance: EditDistance(name.ToLowerInvariant(), d.Name)))
            .OrderBy(x => x.Distance)
            .First();
        var hint = closest.Distance <= 3 ? $" Did you mean --{closest.Name}?" : string.Empty;
        return $"--{name} is not an argument Rekey knows.{hint} Known arguments: {string.Join(", ", Definitions.Select(d => "--" + d.Name))}.";
    }

    // A digest as Plan prints it, or a plan.json that exists (read by Preflight, which names what changed).
    private static (string? Value, string? Problem) ParseApprovedPlan(string text)
    {
        var value = text.Trim();
        return Regex.IsMatch(value, "^sha256:[0-9a-f]{64}$", RegexOptions.None, TimeSpan.FromSeconds(1)) || File.Exists(value)
            ? (value, null)
            : (null, $"'{value}' is neither a plan digest (sha256: and 64 hex digits, as Plan prints it) nor a plan.json that exists: give the digest or the file of the plan that was approved.");
    }

    /// <summary>The trimmed text when it matches <paramref name="pattern"/>; otherwise the problem to report.</summary>
    private static (string? Value, string? Problem) Matching(string text, Regex pattern, string problem)
    {
        var value = text.Trim();
        return pattern.IsMatch(value) ? (value, null) : (null, problem);
    }

    private static (string? Value, string? Problem) ParseIdentifier(string text)
    {
        var value = text.Trim().ToLowerInvariant();
        return IsValidDbIdentifier(value)
            ? (value, null)
            : (null, $"'{text}' is not a DB cluster identifier: 1 to 63 letters, digits or hyphens, starting with a letter, with no trailing or double hyphen.");
    }

    private static (string? Value, string? Problem) ParseRegion(string text)
    {
        var (value, problem) = Matching(text, RegionPattern(), $"'{text}' is not an AWS Region code such as eu-west-1 or us-east-1.");
        return value is null || IsKnownRegion(value)
            ? (value, problem)
            : (null, $"'{value}' is not a Region the AWS SDK knows; {KnownRegionsHint}");
    }

    /// <summary>
    /// A Region of the SDK's partition data (every partition: aws, aws-cn, aws-us-gov, ...). The SDK makes up an
    /// endpoint for any name it is given, so a typo would only fail later, at the first call, perhaps after a change.
    /// </summary>
    public static bool IsKnownRegion(string region) =>
        Amazon.RegionEndpoint.EnumerableAllRegions.Any(r => string.Equals(r.SystemName, region, StringComparison.Ordinal));

    private static string KnownRegionsHint =>
        "give one of "
        + string.Join(", ", Amazon.RegionEndpoint.EnumerableAllRegions.Select(r => r.SystemName).Where(n => RegionPattern().IsMatch(n)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        + " (a Region newer than this build needs a newer AWSSDK.Core).";

    /// <summary>Names the first character outside printable ASCII, or null when there is none.</summary>
    private static string? NonAscii(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] is < ' ' or > '~')
            {
                return $"'{value}' holds the character U+{(int)value[i]:X4} at position {i + 1}, which is not plain ASCII; type the value in ASCII letters and digits.";
            }
        }

        return null;
    }

    private static (KmsKeyReference? Value, string? Problem) ParseKmsKey(string text) =>
        KmsKeyReference.TryParse(text.Trim(), out var key)
            ? (key, null)
            : (null, $"'{text}' is not a KMS key: give a key id, a key ARN, alias/NAME or an alias ARN.");

    private static (string? Value, string? Problem) ParseSuffix(string text)
    {
        var value = text.Trim().ToLowerInvariant();
        return value.Length is >= 1 and <= 20 && SuffixPattern().IsMatch(value) && !value.EndsWith('-') && !value.Contains("--", StringComparison.Ordinal)
            ? (value, null)
            : (null, $"'{text}' cannot end a DB identifier: use 1 to 20 letters, digits or hyphens, not ending with a hyphen (e.g. -old).");
    }

    private static (string? Value, string? Problem) ParseAccount(string text) =>
        Matching(text, AccountPattern(), $"'{text}' is not an AWS account id (12 digits).");

    private static (string? Value, string? Problem) ParseVaultName(string text)
    {
        var value = text.Trim();
        if (string.Equals(value, "Default", StringComparison.Ordinal))
        {
            return (null, "the Default vault cannot receive cross-account copies; name a vault of its own.");
        }

        return VaultPattern().IsMatch(value)
            ? (value, null)
            : (null, $"'{text}' is not a backup vault name (2 to 50 letters, digits, hyphens or underscores).");
    }

    private static (string? Value, string? Problem) ParseRoleArn(string text) =>
        Matching(text, RoleArnPattern(), $"'{text}' is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME).");

    private static (string? Value, string? Problem) ParseTopicArn(string text) =>
        Matching(text, TopicArnPattern(), $"'{text}' is not an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME).");

    private static (double? Value, string? Problem) ParseClockSpeed(string text) =>
        double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var speed) && speed is >= 1 and <= 100_000
            ? (speed, null)
            : (null, $"'{text}' is not a clock speed from 1 to 100000 (AWS seconds per real second).");

    private static (int? Value, string? Problem) ParseCount(string text, string what, int max) =>
        int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count >= 1 && count <= max
            ? (count, null)
            : (null, $"'{text}' is not a number of {what} from 1 to {max.ToString(CultureInfo.InvariantCulture)}.");

    private static (int? Value, string? Problem) ParseRuns(string text) =>
        int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var runs) && runs is >= 1 and <= 100
            ? (runs, null)
            : (null, $"'{text}' is not a number of runs from 1 to 100.");

    private static (long? Value, string? Problem) ParseChaosSeed(string text) =>
        long.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var seed)
            ? (seed, null)
            : (null, $"'{text}' is not a chaos seed: give a whole number from 0 to {long.MaxValue}.");

    private static (string? Value, string? Problem) ParseRunId(string text) =>
        Matching(text, RunIdPattern(), $"'{text}' cannot be a run id: use 1 to 64 letters, digits, '-', '_' or '.'.");

    private static (string? Value, string? Problem) ParseGitHubRepo(string text)
    {
        var value = text.Trim();
        return Iam.GitHubRepository.TryParse(value, out _)
            ? (value, null)
            : (null, $"'{text}' is not a GitHub repository: OWNER/NAME, or OWNER@OWNER_ID/NAME@REPOSITORY_ID.");
    }

    private static (string? Value, string? Problem) ParseSchedule(string text)
    {
        var value = text.Trim();
        return SchedulePattern().IsMatch(value)
            ? (value, null)
            : (null, $"'{text}' is not an AWS Backup schedule: cron(MINUTES HOURS DAY MONTH WEEKDAY YEAR), e.g. cron(0 5 ? * * *), or rate(12 hours).");
    }

    private static (int? Value, string? Problem) ParseDays(string text) =>
        int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var days) && days is >= 1 and <= 36500
            ? (days, null)
            : (null, $"'{text}' is not a number of days from 1 to 36500.");

    private static (DnsServerAddress? Value, string? Problem) ParseDnsServer(string text) =>
        DnsServerAddress.TryParse(text.Trim(), out var address)
            ? (address, null)
            : (null, $"'{text}' is not host:port (e.g. 127.0.0.1:4553 or [::1]:53).");

    private static int EditDistance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            previous = current;
        }

        return previous[b.Length];
    }

    [GeneratedRegex("^[a-z][a-z0-9-]*$")]
    private static partial Regex IdentifierPattern();

    [GeneratedRegex("^[a-z]{2}(-[a-z]+)+-[0-9]+$")]
    private static partial Regex RegionPattern();

    [GeneratedRegex("^-?[a-z0-9-]+$")]
    private static partial Regex SuffixPattern();

    [GeneratedRegex("^[0-9]{12}$")]
    private static partial Regex AccountPattern();

    [GeneratedRegex("^[a-zA-Z0-9_-]{2,50}$")]
    private static partial Regex VaultPattern();

    [GeneratedRegex("^arn:aws(-[a-z]+)*:iam::[0-9]{12}:role/[A-Za-z0-9_+=,.@/-]{1,512}$")]
    private static partial Regex RoleArnPattern();

    [GeneratedRegex(@"^arn:aws(-[a-z]+)*:sns:[a-z]{2}(-[a-z]+)+-[0-9]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$")]
    private static partial Regex TopicArnPattern();

    [GeneratedRegex(@"^(cron\([^()]+\)|rate\([0-9]+ (minute|minutes|hour|hours|day|days)\))$")]
    private static partial Regex SchedulePattern();

    [GeneratedRegex(@"^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex RunIdPattern();
}
