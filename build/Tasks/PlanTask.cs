using Cake.Core.Diagnostics;
using Cake.Frosting;
using Rekey.Migration;

namespace Rekey.Build.Tasks;

/// <summary>Read only. Writes what the cutover will do, as Markdown and JSON, for the operator and the approver.</summary>
[TaskName("Plan")]
[TaskDescription("Writes the cutover plan (names, steps, every setting and how it is carried, outage, rollback) as Markdown and JSON.")]
[IsDependentOn(typeof(PreflightTask))]
public sealed class PlanTask : AsyncFrostingTask<RekeyContext>
{
    public override async Task RunAsync(RekeyContext context)
    {
        var preflight = context.Preflight ?? await Preflight.RunAsync(context.Run, context.CancellationToken);
        var plan = await Plan.BuildAsync(context.Run, preflight, context.CancellationToken);

        var directory = context.Settings.ArtifactsDirectory;
        Directory.CreateDirectory(directory);
        var markdown = Path.Combine(directory, $"{plan.Cluster}-plan.md");
        var json = Path.Combine(directory, $"{plan.Cluster}-plan.json");
        await File.WriteAllTextAsync(markdown, plan.ToMarkdown());
        await File.WriteAllTextAsync(json, plan.ToJson());
        context.SetStepOutput("plan-json", json);
        if (plan.Digest is { } digest)
        {
            context.Log.Information("Plan digest: {0} (a cutover given --approved-plan={0} runs only this plan)", digest);
        }
        context.AddToStepSummary(plan.ToMarkdown(), plan.Warnings);

        if (plan.StrategyReason is { } reason)
        {
            context.Log.Information("Strategy for {0}: {1}. {2}", plan.Cluster, plan.Strategy, reason);
        }

        foreach (var line in plan.Forecast ?? ["No dress rehearsal of this cluster is recorded: the outage forecast is a guess until DressRehearsal measures it."])
        {
            context.Log.Information(line);
        }

        foreach (var way in plan.WaysOut)
        {
            context.Log.Information(
                "{0}",
                way.Rank is { } rank ? $"Way out {rank}: {way.Title}{(way.Chosen ? " (chosen)" : string.Empty)}; forecast write outage {way.Forecast}"
                    : $"Way out blocked: {way.Title}; {string.Join(" ", way.BlockedBy)}");
        }

        if (Rekey.Strategies.WaysOut.ShorterThanChosen(plan.WaysOut) is { } shorter)
        {
            context.Log.Information("{0}", shorter);
        }

        context.Log.Information("Plan of {0}: {1} names, {2} settings, {3} steps; written to {4} and {5}", plan.Cluster, plan.Names.Count, plan.Settings.Count, plan.Steps.Count, markdown, json);
        if (!preflight.Passed && !preflight.NothingToDo)
        {
            throw new PreflightFailedException(preflight);
        }
    }
}
