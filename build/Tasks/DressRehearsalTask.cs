using Cake.Core.Diagnostics;
using Cake.Frosting;
using Rekey.Build.Infrastructure;
using Rekey.Forecast;

namespace Rekey.Build.Tasks;

/// <summary>Before the window: restores a throw-away copy with the target key, measures the restore and the writer, deletes the copy.</summary>
[TaskName("DressRehearsal")]
[TaskDescription("Restores a throw-away copy of the cluster with the target key, measures restore and writer on AWS's clock, deletes it; reports the forecast outage.")]
[IsDependentOn(typeof(PrepareKeyTask))]
[ChangesAws]
public sealed class DressRehearsalTask : StepTask
{
    public override async Task RunAsync(RekeyContext context)
    {
        var keyArn = await context.Run.TargetKeyArnAsync(context.CancellationToken);
        var result = await DressRehearsal.RunAsync(context.Run, keyArn, context.CancellationToken);
        await DressRehearsalRead.RequireAsync(context.Run, result, context.CancellationToken);

        var directory = context.Settings.ArtifactsDirectory;
        Directory.CreateDirectory(directory);
        var markdown = Path.Combine(directory, $"{result.ClusterId}-dress-rehearsal.md");
        var json = Path.Combine(directory, $"{result.ClusterId}-dress-rehearsal.json");
        await File.WriteAllTextAsync(markdown, DressRehearsalReport.ToMarkdown(result, context.Settings.SwitchoverTimeout));
        await File.WriteAllTextAsync(json, DressRehearsalReport.ToJson(result, context.Settings.SwitchoverTimeout));
        context.AddToStepSummary(DressRehearsalReport.ToMarkdown(result, context.Settings.SwitchoverTimeout));

        var record = result.Record;
        context.Log.Information(
            "Dress rehearsal of {0}: restore {1}, writer {2} ({3}), restorable lag {4}; forecast restore-swap outage about {5}; the copy ran {6:0.##} hours. Written to {7} and {8}",
            result.ClusterId,
            DressRehearsalRecord.Text(record.Restore),
            DressRehearsalRecord.Text(record.Writer),
            record.InstanceClass,
            DressRehearsalRecord.Text(record.RestorableLag),
            DressRehearsalRecord.Text(record.RestoreSwapOutage),
            result.Ran.TotalHours,
            markdown,
            json);
    }
}
