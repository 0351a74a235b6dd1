namespace Rekey.Configuration;

/// <summary>How a cluster moves to the new key.</summary>
public enum CutoverStrategy
{
    /// <summary>Blue/Green where Preflight finds the cluster eligible, restore-swap otherwise.</summary>
    Auto,

    /// <summary>A Blue/Green deployment whose green cluster uses the new key, then a switchover (typically under a minute).</summary>
    BlueGreen,

    /// <summary>Rename, point-in-time restore under the original name with the new key, instances again (tens of minutes or more).</summary>
    RestoreSwap,
}

/// <summary>The command-line spellings of <see cref="CutoverStrategy"/>.</summary>
public static class CutoverStrategies
{
    public static string Name(this CutoverStrategy strategy) => strategy switch
    {
        CutoverStrategy.BlueGreen => "blue-green",
        CutoverStrategy.RestoreSwap => "restore-swap",
        _ => "auto",
    };

    public static bool TryParse(string text, out CutoverStrategy strategy)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case "auto":
                strategy = CutoverStrategy.Auto;
                return true;
            case "blue-green" or "bluegreen":
                strategy = CutoverStrategy.BlueGreen;
                return true;
            case "restore-swap" or "restoreswap":
                strategy = CutoverStrategy.RestoreSwap;
                return true;
            default:
                strategy = CutoverStrategy.Auto;
                return false;
        }
    }
}
