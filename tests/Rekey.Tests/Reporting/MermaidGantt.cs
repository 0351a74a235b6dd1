using System.Globalization;
using System.Text.RegularExpressions;

namespace Rekey.Tests.Reporting;

/// <summary>One task line of a Mermaid gantt.</summary>
public sealed record GanttLine(string Name, bool Critical, DateTime Start, TimeSpan Length);

/// <summary>
/// Reads a Mermaid gantt as Mermaid's grammar does, far enough to fail on what would not render: exactly one
/// <c>gantt</c> header first, one <c>dateFormat</c>, and under sections only task lines whose start matches the
/// dateFormat and whose length has a unit Mermaid knows. Returns the tasks by section.
/// </summary>
public static partial class MermaidGantt
{
    public static IReadOnlyDictionary<string, IReadOnlyList<GanttLine>> Check(string chart)
    {
        ArgumentNullException.ThrowIfNull(chart);
        var lines = chart.ReplaceLineEndings("\n").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith("%%", StringComparison.Ordinal)).ToList();
        Assert.True(lines.Count > 0 && lines[0] == "gantt", $"The chart does not start with 'gantt':\n{chart}");
        Assert.Single(lines, l => l == "gantt");
        var dateFormat = Assert.Single(lines, l => l.StartsWith("dateFormat ", StringComparison.Ordinal))["dateFormat ".Length..];
        Assert.Equal("YYYY-MM-DDTHH:mm:ss", dateFormat);

        var sections = new Dictionary<string, IReadOnlyList<GanttLine>>(StringComparer.Ordinal);
        List<GanttLine>? current = null;
        foreach (var line in lines.Skip(1))
        {
            if (line.StartsWith("title ", StringComparison.Ordinal) || line.StartsWith("dateFormat ", StringComparison.Ordinal) || line.StartsWith("axisFormat ", StringComparison.Ordinal))
            {
                Assert.True(current is null, $"'{line}' after the first section");
                continue;
            }

            if (line.StartsWith("section ", StringComparison.Ordinal))
            {
                current = [];
                sections.Add(line["section ".Length..], current);
                continue;
            }

            Assert.True(current is not null, $"A task before any section: '{line}'");
            var task = TaskLine().Match(line);
            Assert.True(task.Success, $"Not a task line Mermaid reads: '{line}'");
            Assert.True(
                DateTime.TryParseExact(task.Groups["start"].Value, "yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var start),
                $"Start '{task.Groups["start"].Value}' does not match the dateFormat {dateFormat}");
            var amount = long.Parse(task.Groups["amount"].Value, CultureInfo.InvariantCulture);
            var length = task.Groups["unit"].Value switch
            {
                "ms" => TimeSpan.FromMilliseconds(amount),
                "s" => TimeSpan.FromSeconds(amount),
                "m" => TimeSpan.FromMinutes(amount),
                "h" => TimeSpan.FromHours(amount),
                "d" => TimeSpan.FromDays(amount),
                _ => TimeSpan.FromDays(7 * amount),
            };
            Assert.True(length > TimeSpan.Zero, $"A task without length: '{line}'");
            current!.Add(new GanttLine(task.Groups["name"].Value.Trim(), task.Groups["crit"].Success, start, length));
        }

        Assert.NotEmpty(sections);
        return sections;
    }

    // NAME :[crit, |done, |active, ]ID, START, LENGTH — the name holds no colon, '#' or ';'.
    [GeneratedRegex(@"^(?<name>[^:#;]+) :(?:(?<crit>crit), |done, |active, )?(?<id>[A-Za-z][A-Za-z0-9_]*), (?<start>\S+), (?<amount>\d+)(?<unit>ms|s|m|h|d|w)$")]
    private static partial Regex TaskLine();
}
