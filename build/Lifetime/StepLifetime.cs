using System.Diagnostics;
using Cake.Core;
using Cake.Frosting;
using Rekey.Build.Infrastructure;
using Rekey.Notifications;
using Rekey.Reporting;

namespace Rekey.Build.Lifetime;

/// <summary>
/// Around each step: announces its start, success, skip or failure on SNS (when a topic is set),
/// records its outcome for the report, and under GitHub Actions folds its log into a group and turns
/// a failure into an error annotation.
/// </summary>
public sealed class StepLifetime(StepRecorder steps) : FrostingTaskLifetime<RekeyContext>
{
    private readonly Dictionary<string, long> _started = new(StringComparer.OrdinalIgnoreCase);

    public override void Setup(RekeyContext context, ITaskSetupContext info)
    {
        if (context.IsGitHubActions)
        {
            Console.Out.WriteLine(GitHubWorkflowCommands.Group(info.Task.Name));
        }

        _started[info.Task.Name] = Stopwatch.GetTimestamp();
        Announce(context, info.Task.Name, "started", null, null);
    }

    public override void Teardown(RekeyContext context, ITaskTeardownContext info)
    {
        var status = info.Skipped ? "skipped" : info.Successful ? "succeeded" : "failed";
        var seconds = _started.TryGetValue(info.Task.Name, out var start) ? Stopwatch.GetElapsedTime(start).TotalSeconds : info.Duration.TotalSeconds;
        var details = info.ThrownException is { } thrown ? RunLifetime.Cause(thrown).Message : null;
        steps.Add(new StepOutcome(info.Task.Name, status, Math.Round(seconds, 1), details));
        Announce(context, info.Task.Name, status, seconds, details);

        if (!context.IsGitHubActions)
        {
            return;
        }

        Console.Out.WriteLine(GitHubWorkflowCommands.EndGroup());
        if (info.ThrownException is not null)
        {
            Console.Out.WriteLine(GitHubWorkflowCommands.Error(details ?? "failed", $"{info.Task.Name} failed"));
        }
    }

    private static void Announce(RekeyContext context, string step, string status, double? seconds, string? details)
    {
        if (context.Settings.SnsTopicArn is not { } topic || context.Settings.Cluster is null)
        {
            return;
        }

        var run = context.Run;
        var notifier = new SnsNotifier(run.Sns, topic, context.Logger);
        var stepEvent = new StepEvent
        {
            Status = status,
            Step = step,
            Cluster = context.Settings.Cluster,
            Environment = context.Settings.Environment,
            Run = context.RunId,
            Region = run.Region.SystemName,
            DurationSeconds = seconds is null ? null : Math.Round(seconds.Value, 1),
            Details = details,
            RunUrl = context.RunUrl,
        };

        // Cake's lifetime hooks are synchronous; the publish is short and bounded by the SDK's timeouts.
        notifier.PublishAsync(stepEvent, CancellationToken.None).GetAwaiter().GetResult();
    }
}
