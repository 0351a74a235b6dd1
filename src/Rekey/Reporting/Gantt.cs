using System.Globalization;
using System.Text;

namespace Rekey.Reporting;

/// <summary>One bar of a gantt: a step from its start for its length; critical bars are the write outage.</summary>
public sealed record GanttTask(string Name, DateTimeOffset Start, TimeSpan Length, bool Critical = false);

/// <summary>One strategy's bars.</summary>
public sealed record GanttSection(string Name, IReadOnlyList<GanttTask> Tasks);

/// <summary>
/// A Mermaid gantt (GitHub renders a <c>```mermaid</c> block as a chart): one section per strategy, one task line per
/// step with its start and its length in whole seconds.
/// </summary>
public static class Gantt
{
    /// <summary>Mermaid's <c>dateFormat</c> of the task lines (dayjs tokens) and the matching .NET format.</summary>
    public const string DateFormat = "YYYY-MM-DDTHH:mm:ss";

    private const string NetDateFormat = "yyyy-MM-dd'T'HH:mm:ss";

    /// <summary>The chart's text; <paramref name="axisFormat"/> is strftime-like (<c>%H:%M</c>).</summary>
    public static string Mermaid(string title, IEnumerable<GanttSection> sections, string axisFormat = "%H:%M")
    {
        ArgumentNullException.ThrowIfNull(sections);
        var text = new StringBuilder();
        text.AppendLine("gantt")
            .Append("    title ").AppendLine(Name(title))
            .Append("    dateFormat ").AppendLine(DateFormat)
            .Append("    axisFormat ").AppendLine(axisFormat);
        var id = 0;
        foreach (var section in sections.Where(s => s.Tasks.Count > 0))
        {
            text.Append("    section ").AppendLine(Name(section.Name));
            foreach (var task in section.Tasks)
            {
                // A bar shorter than a second (HTTP Date's precision) is still drawn, one second wide.
                var seconds = Math.Max(1, (long)Math.Round(task.Length.TotalSeconds));
                var start = task.Start.UtcDateTime.ToString(NetDateFormat, CultureInfo.InvariantCulture);
                text.Append(CultureInfo.InvariantCulture, $"    {Name(task.Name)} :{(task.Critical ? "crit, " : string.Empty)}t{++id}, {start}, {seconds}s").AppendLine();
            }
        }

        return text.ToString();
    }

    // A colon ends a task's name and '#' or ';' start a comment or a new statement in Mermaid: they are left out.
    private static string Name(string name) =>
        string.Join(' ', name.Replace(':', ' ').Replace(';', ',').Replace('#', ' ').Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
