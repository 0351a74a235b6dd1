using Rekey.Migration;
using Rekey.Reporting;
using Rekey.Waiting;

namespace Rekey.Tests.Reporting;

public sealed class GanttTests
{
    private static readonly DateTimeOffset Fenced = new(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);

    private static RunReport Cutover() => new()
    {
        Target = "Cutover",
        Cluster = "orders",
        RunId = "1",
        Succeeded = true,
        Preflight = new PreflightReport { ClusterId = "orders", Strategy = global::Rekey.Configuration.CutoverStrategy.RestoreSwap },
        Steps =
        [
            new StepOutcome("Preflight", "succeeded", 2, StartedAt: Fenced.AddMinutes(-3), FinishedAt: Fenced.AddMinutes(-3).AddSeconds(2)),
            new StepOutcome("Fence", "succeeded", 312, StartedAt: Fenced.AddMinutes(-2), FinishedAt: Fenced.AddMinutes(3)),
            new StepOutcome("Restore", "succeeded", 1500, StartedAt: Fenced.AddMinutes(3), FinishedAt: Fenced.AddMinutes(28)),
            new StepOutcome("CreateInstances: writer; #1", "succeeded", 600, StartedAt: Fenced.AddMinutes(28), FinishedAt: Fenced.AddMinutes(38)),
            new StepOutcome("CreateBlueGreen", "skipped", 0, "this cutover uses restore-swap"),
        ],
        AwsTimes = new Dictionary<string, DateTimeOffset> { ["fenced"] = Fenced, ["writer-available"] = Fenced.AddMinutes(38).AddSeconds(5) },
    };

    [Fact]
    public void A_cutover_report_draws_each_step_that_ran_on_AWSs_clock_in_its_strategys_section_with_the_write_outage_in_red()
    {
        var markdown = Cutover().ToMarkdown();

        var chart = Assert.Single(WholeMarkdown.FencedBlocks(markdown, "mermaid"));
        var sections = MermaidGantt.Check(chart);
        var tasks = Assert.Single(sections, s => s.Key == "restore-swap").Value;
        Assert.Equal(["Preflight", "Fence", "write outage", "Restore", "CreateInstances writer, 1"], tasks.Select(t => t.Name));
        Assert.Equal(new DateTime(2026, 11, 28, 9, 58, 0, DateTimeKind.Utc), tasks[1].Start);
        Assert.Equal(TimeSpan.FromMinutes(25), tasks[3].Length);
        var outage = Assert.Single(tasks, t => t.Critical);
        Assert.Equal(("write outage", Fenced.UtcDateTime, TimeSpan.FromSeconds((38 * 60) + 5)), (outage.Name, outage.Start, outage.Length));
        WholeMarkdown.Check(markdown);
    }

    [Fact]
    public void A_report_without_times_on_AWSs_clock_draws_no_chart()
    {
        var markdown = (Cutover() with { Steps = [new StepOutcome("Preflight", "failed", 0.1, "denied")] }).ToMarkdown();

        Assert.Empty(WholeMarkdown.FencedBlocks(markdown, "mermaid"));
    }

    [Fact]
    public void Plans_forecast_draws_each_possible_strategys_steps_with_their_durations_from_the_dress_rehearsal()
    {
        var measured = new ExpectedDurations(TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(21) + TimeSpan.FromSeconds(54), TimeSpan.FromMinutes(9), Measured: true);

        var sections = MermaidGantt.Check(Plan.ForecastChart("orders", measured, instances: 2, restoreSwap: true, blueGreen: true)!);

        Assert.Equal(["restore-swap", "blue-green"], sections.Keys);
        var restoreSwap = sections["restore-swap"];
        Assert.Equal(TimeSpan.FromMinutes(21) + TimeSpan.FromSeconds(54), Assert.Single(restoreSwap, t => t.Name.StartsWith("Restore", StringComparison.Ordinal)).Length);
        Assert.Equal(restoreSwap.Where(t => !t.Critical).Sum(t => t.Length.TotalSeconds), Assert.Single(restoreSwap, t => t.Critical).Length.TotalSeconds);
        var blueGreen = sections["blue-green"];
        Assert.Equal(TimeSpan.FromMinutes(21) + TimeSpan.FromSeconds(54) + TimeSpan.FromMinutes(18), blueGreen[0].Length);
        Assert.Equal(blueGreen[0].Start + blueGreen[0].Length, Assert.Single(blueGreen, t => t.Critical).Start);
    }

    [Fact]
    public void A_blocked_strategy_has_no_section_in_the_forecast_and_none_possible_draws_none()
    {
        var sections = MermaidGantt.Check(Plan.ForecastChart("orders", ExpectedDurations.Typical, instances: 1, restoreSwap: true, blueGreen: false)!);

        Assert.Equal(["restore-swap"], sections.Keys);
        Assert.Null(Plan.ForecastChart("orders", ExpectedDurations.Typical, instances: 1, restoreSwap: false, blueGreen: false));
    }

    [Fact]
    public void The_checker_rejects_a_task_whose_name_holds_a_colon_or_whose_length_has_no_unit()
    {
        const string header = "gantt\n    dateFormat YYYY-MM-DDTHH:mm:ss\n    section s\n";

        Assert.ThrowsAny<Exception>(() => MermaidGantt.Check(header + "    a: b :t1, 2026-11-28T10:00:00, 5s\n"));
        Assert.ThrowsAny<Exception>(() => MermaidGantt.Check(header + "    a :t1, 2026-11-28T10:00:00, 5\n"));
        Assert.ThrowsAny<Exception>(() => MermaidGantt.Check(header + "    a :t1, 28.11.2026 10:00, 5s\n"));
        Assert.ThrowsAny<Exception>(() => MermaidGantt.Check("gantt\n" + header + "    a :t1, 2026-11-28T10:00:00, 5s\n"));
    }
}
