using System.Globalization;
using System.Text.RegularExpressions;

namespace Rekey.Configuration;

/// <summary>
/// Turns <c>--name=value</c> arguments and environment variables into <see cref="RekeySettings"/>,
/// or fails with every problem named, before anything has run.
/// </summary>
public static partial class SettingsReader
{
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

        var settings = Arguments.Aggregate(new RekeySettings(), (current, argument) => argument.Apply(given, current));
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

    private static (string? Value, string? Problem) Trimmed(string text) => (text.Trim(), null);

    /// <summary>--regions: 'all', or a list of Regions the SDK knows.</summary>
    private sealed record RegionList(bool All, IReadOnlyList<string> Names);

    private static (RegionList? Value, string? Problem) ParseRegions(string text)
    {
        if (string.Equals(text.Trim(), "all", StringComparison.OrdinalIgnoreCase))
        {
            return (new(true, []), null);
        }

        var list = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var malformed = list.Where(r => !RegionPattern().IsMatch(r)).ToList();
        var unknown = list.Except(malformed).Where(r => !IsKnownRegion(r)).ToList();
        if (list.Length == 0 || malformed.Count > 0)
        {
            return (null, $"'{text}' is not a comma-separated list of Regions (e.g. eu-west-1,us-east-1) or 'all'.");
        }

        if (unknown.Count > 0)
        {
            var names = string.Join(", ", unknown.Select(r => $"'{r}'"));
            return (null, $"{names} {(unknown.Count == 1 ? "is not a Region" : "are not Regions")} the AWS SDK knows; {KnownRegionsHint}");
        }

        return (new(false, list.Distinct(StringComparer.Ordinal).ToList()), null);
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
