using System.Text.RegularExpressions;
using Rekey.Runtime;

namespace Rekey.Tests.Runtime;

public sealed partial class ExitCodesReadmeTests
{
    [Fact]
    public void The_README_lists_exactly_the_exit_codes_the_host_uses()
    {
        var readme = File.ReadAllLines(Path.Combine(FindRepositoryRoot(), "README.md"));
        var start = Array.FindIndex(readme, line => line.Trim() == "## Exit codes");
        Assert.True(start >= 0, "README.md has no '## Exit codes' section.");

        var rows = readme
            .Skip(start + 1)
            .TakeWhile(line => !line.StartsWith("## ", StringComparison.Ordinal))
            .Select(line => Row().Match(line))
            .Where(match => match.Success)
            .Select(match => (int.Parse(match.Groups["code"].Value, System.Globalization.CultureInfo.InvariantCulture), match.Groups["meaning"].Value.Trim()))
            .ToList();

        Assert.Equal(ExitCodes.Table.ToList(), rows);
    }

    [Fact]
    public void Every_exit_code_in_the_table_is_distinct()
    {
        Assert.Equal(ExitCodes.Table.Count, ExitCodes.Table.Select(row => row.Code).Distinct().Count());
    }

    [GeneratedRegex(@"^\|\s*(?<code>\d+)\s*\|(?<meaning>[^|]+)\|\s*$")]
    private static partial Regex Row();

    private static string FindRepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Rekey.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No Rekey.sln above {AppContext.BaseDirectory}.");
    }
}
