using System.Globalization;
using Amazon.Runtime;

namespace Rekey.Configuration;

/// <summary>The arguments that shape the AWS clients and the fleet benchmark's account: the SDK's retry mode and the other tools' load.</summary>
public static partial class SettingsReader
{
    // Computed on each use: a static initializer in another file of this class may run before one here.
    private static IEnumerable<ArgumentDefinition> ClientDefinitions =>
    [
        new(ArgumentNames.BackgroundRate, "Benchmark --fleet: the account's other tools' RDS calls per second of AWS time (0 to 100, default 3).", false, "REKEY_BACKGROUND_RATE"),
        new(ArgumentNames.RetryMode, "The AWS SDK's retry mode: standard (default) or adaptive (slows a client AWS throttled; see docs/benchmark.md).", false, "REKEY_RETRY_MODE"),
    ];

    private static (RequestRetryMode? Value, string? Problem) ParseRetryMode(string text) =>
        text.Trim().ToLowerInvariant() switch
        {
            "standard" => (RequestRetryMode.Standard, null),
            "adaptive" => (RequestRetryMode.Adaptive, null),
            _ => (null, $"'{text}' is not a retry mode: give standard or adaptive."),
        };

    private static (double? Value, string? Problem) ParseBackgroundRate(string text) =>
        double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var rate) && rate is >= 0 and <= 100
            ? (rate, null)
            : (null, $"'{text}' is not a rate of calls per second from 0 to 100.");
}
