using System.Globalization;

namespace Rekey.Configuration;

/// <summary>The strategy arguments' parsers.</summary>
public static partial class SettingsReader
{
    private static (CutoverStrategy? Value, string? Problem) ParseStrategy(string text) =>
        CutoverStrategies.TryParse(text, out var strategy)
            ? (strategy, null)
            : (null, $"'{text}' is not a strategy: give auto, blue-green or restore-swap.");

    private static (bool? Value, string? Problem) ParseIamScope(string text) =>
        text.Trim() switch
        {
            "cluster" => (false, null),
            "fleet" => (true, null),
            _ => (null, $"'{text}' is not an IAM scope: give cluster (roles for --cluster) or fleet (one role set for the environment, scoped by tag)."),
        };

    private static (TimeSpan? Value, string? Problem) ParseSwitchoverTimeout(string text)
    {
        var value = text.Trim();
        if (value.EndsWith('s'))
        {
            value = value[..^1];
        }

        // AWS's bounds for SwitchoverTimeout, checked here so a bad value fails before anything changes.
        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds is >= 30 and <= 3600
            ? (TimeSpan.FromSeconds(seconds), null)
            : (null, $"'{text}' is not a switchover timeout: give whole seconds from 30 to 3600 (AWS's bounds), e.g. 300.");
    }
}
