namespace Rekey.Inventory;

/// <summary>The inventory as a GitHub Actions step output, for a later job's <c>strategy.matrix</c> (through fromJSON).</summary>
public static class MatrixOutput
{
    public const string Name = "matrix";

    /// <summary>
    /// Appends <c>matrix=&lt;json&gt;</c> to the file GitHub Actions names in GITHUB_OUTPUT. Returns that file,
    /// or null when not running under GitHub Actions (GITHUB_ACTIONS is not true or GITHUB_OUTPUT is unset).
    /// </summary>
    public static string? AppendTo(Func<string, string?> environment, InventoryResult result)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(result);
        if (!string.Equals(environment("GITHUB_ACTIONS"), "true", StringComparison.OrdinalIgnoreCase)
            || environment("GITHUB_OUTPUT") is not { Length: > 0 } output)
        {
            return null;
        }

        // One line: the compact JSON has no line breaks, so GitHub's name=value form needs no delimiter.
        File.AppendAllText(output, $"{Name}={result.ToMatrixJson()}\n");
        return output;
    }
}
