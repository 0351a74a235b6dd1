using System.Globalization;
using Amazon.Runtime;

namespace Rekey.Configuration;

/// <summary>The arguments that shape the AWS clients and the fleet benchmark's account: the SDK's retry mode and the other tools' load.</summary>
public static partial class SettingsReader
{
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
