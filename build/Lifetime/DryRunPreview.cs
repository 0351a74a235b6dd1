using System.Reflection;
using Cake.Core.Diagnostics;
using Cake.Frosting;
using Rekey.Build.Infrastructure;
using Rekey.Build.Tasks;
using Rekey.Configuration;
using Rekey.Migration;
using Rekey.Reporting;
using Rekey.Runtime;
using Rekey.Safety;

namespace Rekey.Build.Lifetime;

/// <summary>One step of a dry run's preview: what it would change, on what, or why it would not run.</summary>
/// <param name="Step">The task's name.</param>
/// <param name="Verdict">"changes", "reads only", "skipped" or "waits" (its changes presuppose an earlier step's).</param>
/// <param name="Operations">The changing operations its rules allow, as "ServiceId Operation".</param>
/// <param name="Subject">The names, key and snapshot it would act on, or the reason it would not run.</param>
public sealed record PreviewStep(string Step, string Verdict, IReadOnlyList<string> Operations, string Subject);

/// <summary>
/// <c>--dryrun</c> of a target that changes AWS: a live, read-only preview instead of the engine's list of tasks. Preflight
/// reads the cluster and the key as the run would, the plan is made from that, and each step, in the order the run would
/// take it, is listed with the changing operations its rules declare and the names they would act on, or why it would be
/// skipped. No step is in progress, so the change guard refuses any changing call (none is made); no report is written.
/// </summary>
public sealed class DryRunPreview(IEnumerable<IFrostingTask> tasks) : IDryRunPreview
{
    /// <summary>Runs the preview of <paramref name="tasksInOrder"/>; null when none of those tasks changes AWS (the engine lists them instead).</summary>
    public async Task<int?> RunAsync(IFrostingContext context, IReadOnlyList<string> tasksInOrder)
    {
        ArgumentNullException.ThrowIfNull(tasksInOrder);
        return context is RekeyContext rekey ? await PreviewAsync(rekey, tasksInOrder) : null;
    }

    private async Task<int?> PreviewAsync(RekeyContext context, IReadOnlyList<string> order)
    {
        var steps = order.Select(name => (Name: name, Task: TaskNamed(name))).ToList();
        if (!steps.Any(s => s.Task?.GetType().GetCustomAttribute<ChangesAwsAttribute>() is not null))
        {
            return null;
        }

        if (context.Settings.Cluster is null)
        {
            throw new InvalidArgumentsException($"A dry run of {string.Join(", ", context.Targets)} reads the cluster from AWS: give --cluster=ID.");
        }

        var (preflight, blocked) = await PreflightAsync(context, steps.Any(s => s.Name == nameof(Preflight)));
        var plan = preflight is null ? null : await Plan.BuildAsync(context.Run, preflight, context.CancellationToken);
        var standing = await ClusterStanding.ReadAsync(context.Run, context.CancellationToken);
        var preview = steps.Select(s => Preview(context, s.Name, s.Task, plan, standing)).ToList();
        Show(context, preview, plan, blocked);
        return blocked.Count > 0 ? ExitCodes.RefusedByPreflight : ExitCodes.Succeeded;
    }

    /// <summary>Preflight as the run would make it (its reads, the strategy it chooses); what it refuses blocks the preview.</summary>
    private async Task<(PreflightReport? Report, IReadOnlyList<string> Blocks)> PreflightAsync(RekeyContext context, bool inTheRun)
    {
        if (!inTheRun || TaskNamed(nameof(Preflight)) is not PreflightTask preflight)
        {
            return (null, []);
        }

        try
        {
            await preflight.RunAsync(context);
            return (context.Preflight, []);
        }
        catch (PreflightFailedException)
        {
            return (context.Preflight, context.Preflight?.Blocks ?? []);
        }
        catch (PlanChangedException changed)
        {
            return (context.Preflight, [changed.Message]);
        }
    }

    private PreviewStep Preview(RekeyContext context, string name, IFrostingTask? task, Plan? plan, ClusterStanding standing)
    {
        if (task is StepTask step && !step.ShouldRun(context))
        {
            return new PreviewStep(name, "skipped", [], step.SkippedMessage);
        }

        if (StepCatalog.Find(name) is not { } rules || task?.GetType().GetCustomAttribute<ChangesAwsAttribute>() is null)
        {
            return new PreviewStep(name, "reads only", [], "changes nothing");
        }

        var operations = rules.Changes.Order(StringComparer.Ordinal).ToList();
        var subject = Subject(context, name, plan);
        return rules.Expects.Holds(standing)
            ? new PreviewStep(name, "changes", operations, subject)
            : new PreviewStep(name, "waits", operations, $"{subject}; once the steps before it made it so, as AWS does not show it now: {rules.Expects.Description}");
    }

    /// <summary>The concrete names a step acts on, from the settings and the plan made from what AWS shows.</summary>
    private static string Subject(RekeyContext context, string step, Plan? plan)
    {
        var run = context.Run;
        var cluster = run.ClusterId;
        var old = run.OldClusterId;
        var key = plan?.TargetKey ?? context.Preflight?.TargetKeyArn ?? context.Settings.KmsKey?.ToString() ?? "the key of --kms-key";
        var instances = plan?.Names.Where(n => n.Kind.StartsWith("instance", StringComparison.Ordinal)).ToList() ?? [];
        return step switch
        {
            "PrepareKey" => plan?.CreatesKey == true || context.Settings.CreateKey ? $"creates the key {key} if it does not exist" : $"uses the key {key}",
            "Fence" => $"renames cluster {cluster} to {old}"
                + string.Concat(instances.Select(i => $", instance {i.Now} to {i.DuringCutover}"))
                + "; takes T1 on AWS's clock",
            "Restore" => $"restores {old} at T1 or later into {cluster} on {key}",
            "CreateInstances" => instances.Count == 0 ? $"creates the instances of {cluster}" : $"creates {string.Join(", ", instances.Select(i => i.Now))} in {cluster}",
            "Finalize" => $"carries {plan?.Settings.Count(s => s.Carriage is Carriage.ModifiedAfter or Carriage.Recreated) ?? 0} settings onto {cluster} and re-creates its custom endpoints",
            "CreateBlueGreen" => $"creates a Blue/Green deployment of {cluster} whose green is on {key}",
            "Switchover" => $"switches {cluster} over to the green; the old blue becomes {Strategies.BlueGreenDeployments.OldBlueId(cluster)}",
            "Rollback" => $"brings {old} back as {cluster}",
            "Cleanup" => $"deletes {old} after its final snapshot {RestoreSwap.Cleanup.FinalSnapshotName(old)}",
            _ => $"{cluster} on {key}",
        };
    }

    private static void Show(RekeyContext context, IReadOnlyList<PreviewStep> preview, Plan? plan, IReadOnlyList<string> blocked)
    {
        var heading = $"Dry run of {string.Join(", ", context.Targets)} for {context.Settings.Cluster} (read from AWS; nothing was changed)";
        context.Log.Information("{0}:", heading);
        if (plan?.Strategy is { } strategy)
        {
            context.Log.Information("Strategy: {0}. {1}", strategy, plan.StrategyReason ?? string.Empty);
        }

        for (var i = 0; i < preview.Count; i++)
        {
            var step = preview[i];
            context.Log.Information(
                "{0,2}. {1}: {2}{3}",
                i + 1,
                step.Step,
                step.Verdict is "changes" or "waits" ? $"would call {string.Join(", ", step.Operations)}; " : $"{step.Verdict}: ",
                step.Subject);
        }

        foreach (var block in blocked)
        {
            context.Log.Error("Preflight would refuse the cutover: {0}", block);
        }

        context.AddToStepSummary(Markdown(heading, preview, plan, blocked));
    }

    private static string Markdown(string heading, IReadOnlyList<PreviewStep> preview, Plan? plan, IReadOnlyList<string> blocked)
    {
        var md = new MarkdownWriter();
        md.Heading(2, MarkdownWriter.Text(heading));
        if (plan?.Strategy is { } strategy)
        {
            md.Paragraph(MarkdownWriter.Text($"Strategy: {strategy}. {plan.StrategyReason}"));
        }

        md.Table(
            ["#", "Step", "Would", "Changing operations", "On"],
            preview.Select((s, i) => (IReadOnlyList<Cell>)[
                Cell.Text((i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)), Cell.Text(s.Step), Cell.Text(s.Verdict),
                Cell.Text(s.Operations.Count == 0 ? "none" : string.Join(", ", s.Operations)), Cell.Text(s.Subject)]),
            "Steps");
        if (blocked.Count > 0)
        {
            md.Paragraph("Preflight would refuse the cutover:");
            md.Bullets(blocked, "⛔ ");
        }

        return md.ToString();
    }

    private IFrostingTask? TaskNamed(string name) =>
        tasks.FirstOrDefault(t => string.Equals(t.GetType().GetCustomAttribute<TaskNameAttribute>()?.Name ?? t.GetType().Name, name, StringComparison.OrdinalIgnoreCase));
}
