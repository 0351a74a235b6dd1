using Cake.Cli;
using Cake.Core;
using Cake.Core.Diagnostics;
using Rekey.Reporting;
using Spectre.Console;

namespace Rekey.Build.Infrastructure;

/// <summary>
/// Cake's task summary at the end of a run, with its durations written as everywhere else in Rekey's log and reports
/// (<see cref="Durations"/>) instead of Cake's <c>00:00:00.2703653</c>; the lines around the steps stay Cake's own.
/// </summary>
public sealed class DurationReportPrinter(IAnsiConsole console) : ICakeReportPrinter
{
    private readonly CakeSpectreReportPrinter _cake = new(console);

    public void Write(CakeReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var table = new Table().Border(TableBorder.SimpleHeavy).AddColumn("Task").AddColumn("Duration").AddColumn("Status");
        var total = TimeSpan.Zero;
        foreach (var entry in report)
        {
            total += entry.Duration;
            table.AddRow(Markup.Escape(entry.TaskName), Markup.Escape(Durations.Text(entry.Duration)), Markup.Escape(entry.ExecutionStatus.ToReportStatus()));
        }

        table.AddEmptyRow().AddRow("Total:", Markup.Escape(Durations.Text(total)), string.Empty);
        console.Write(table);
    }

    public void WriteLifeCycleStep(string name, Verbosity verbosity) => _cake.WriteLifeCycleStep(name, verbosity);

    public void WriteStep(string name, Verbosity verbosity) => _cake.WriteStep(name, verbosity);

    public void WriteSkippedStep(string name, Verbosity verbosity) => _cake.WriteSkippedStep(name, verbosity);
}
