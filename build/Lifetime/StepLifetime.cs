using System.Diagnostics;
using System.Reflection;
using Cake.Common.Build.GitHubActions.Data;
using Cake.Core;
using Cake.Frosting;
using Rekey.Aws.Runtime;
using Rekey.Build.Infrastructure;
using Rekey.Notifications;
using Rekey.Reporting;

namespace Rekey.Build.Lifetime;

/// <summary>
/// Around each step: announces its start, success, skip or failure on SNS (when a topic is set),
/// records its outcome (with its times on AWS's clock, or why it was skipped) for the report, and under GitHub
/// Actions folds its log into a group and turns a failure into an error annotation.
/// </summary>
public sealed class StepLifetime(StepRecorder steps, IEnumerable<IFrostingTask> tasks) : FrostingTaskLifetime<RekeyContext>
{
    private readonly Dictionary<string, long> _started = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, int> _awsDatesAt = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, JournalCheckpoint> _journalAt = new(StringComparer.OrdinalIgnoreCase);

    // GitHub's log does not nest groups: a run started inside a step (the rehearsal's runs) logs inside
    // the group already open, and only the step that opened a group closes it.
    private static StepLifetime? s_groupOwner;
    private string? _groupTask;
    private OutageAnnouncer? _outage;

    public override void Setup(RekeyContext context, ITaskSetupContext info)
    {
        if (context.GitHubActions.IsRunningOnGitHubActions && Interlocked.CompareExchange(ref s_groupOwner, this, null) is null)
        {
            _groupTask = info.Task.Name;
            context.GitHubActions.Commands.StartGroup(info.Task.Name);
        }

        context.Step.Enter(info.Task.Name);
        ListenForTheOutage(context);
        _started[info.Task.Name] = Stopwatch.GetTimestamp();
        _awsDatesAt[info.Task.Name] = context.AwsDates.Mark();
        _journalAt[info.Task.Name] = context.HasRun ? context.Run.Journal.Checkpoint() : JournalCheckpoint.Start;
        Announce(context, info.Task.Name, "started", null, null, JournalChanges.None);
    }

    public override void Teardown(RekeyContext context, ITaskTeardownContext info)
    {
        context.Step.Leave();
        var cause = info.ThrownException is { } thrown ? RunLifetime.Cause(thrown) : null;
        var status = info.Skipped ? "skipped" : info.Successful ? "succeeded" : cause is OperationCanceledException ? "cancelled" : "failed";
        var seconds = _started.TryGetValue(info.Task.Name, out var start) ? Stopwatch.GetElapsedTime(start).TotalSeconds : info.Duration.TotalSeconds;
        var failure = cause is OperationCanceledException
            ? "Cancelled (SIGINT or SIGTERM) at a safe point; what is done is recorded in AWS, so a rerun resumes."
            : cause is null ? null : AwsErrors.Describe(cause);
        var (startedAt, finishedAt) = context.AwsDates.Since(_awsDatesAt.GetValueOrDefault(info.Task.Name));
        steps.Add(new StepOutcome(info.Task.Name, status, Math.Round(seconds, 1), failure ?? (info.Skipped ? SkipReason(info.Task.Name) : null), startedAt, finishedAt));
        var changes = context.HasRun
            ? context.Run.Journal.Since(_journalAt.GetValueOrDefault(info.Task.Name) ?? JournalCheckpoint.Start)
            : JournalChanges.None;

        // "Writes are down" or "back" goes out before the step's own end.
        _outage?.FlushAsync().GetAwaiter().GetResult();
        Announce(context, info.Task.Name, status, seconds, failure, changes);

        if (!context.GitHubActions.IsRunningOnGitHubActions)
        {
            return;
        }

        if (ReferenceEquals(s_groupOwner, this) && _groupTask == info.Task.Name)
        {
            _groupTask = null;
            Volatile.Write(ref s_groupOwner, null);
            context.GitHubActions.Commands.EndGroup();
        }

        if (info.ThrownException is not null)
        {
            context.GitHubActions.Commands.Error(failure ?? "failed", new GitHubActionsAnnotation { Title = $"{info.Task.Name} failed" });
        }
    }

    /// <summary>With a topic, announces the write outage's start and end when a step records them (once per run's journal).</summary>
    private void ListenForTheOutage(RekeyContext context)
    {
        if (context.Settings.SnsTopicArn is not { } topic || context.Settings.Cluster is null || ReferenceEquals(_outage?.Journal, context.Run.Journal))
        {
            return;
        }

        _outage?.Detach();
        var run = context.Run;
        var template = new StepEvent
        {
            Status = "writes-down",
            Step = "Cutover",
            Cluster = context.Settings.Cluster,
            Environment = context.Settings.Environment,
            Run = context.RunId,
            Region = run.Region.SystemName,
            RunUrl = context.RunUrl,
        };
        _outage = new OutageAnnouncer(new SnsNotifier(run.Sns, topic, context.Logger), template, run.Journal, () => context.Step.Name);
    }

    /// <summary>Why the task skipped itself, as it settled it while deciding (its SkippedMessage); null when it gave none.</summary>
    private string? SkipReason(string name) =>
        tasks.FirstOrDefault(t => string.Equals(t.GetType().GetCustomAttribute<TaskNameAttribute>()?.Name ?? t.GetType().Name, name, StringComparison.OrdinalIgnoreCase))
            is { SkippedMessage: { Length: > 0 } reason } ? reason : null;

    private static void Announce(RekeyContext context, string step, string status, double? seconds, string? failure, JournalChanges changes)
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
            // A failure's cause leads; otherwise what the step did, so a subscriber needs no log to follow the run.
            Details = failure ?? (changes.Entries.Count == 0 ? null : string.Join(Environment.NewLine, changes.Entries.Select(e => e.Message))),
            Facts = changes.Facts.Count == 0 ? null : changes.Facts,
            Times = changes.Marks.Count == 0 ? null : changes.Marks,
            RunUrl = context.RunUrl,
        };

        // Cake's lifetime hooks are synchronous; the publish is short and bounded by the SDK's timeouts. It does
        // not take the run's token: a cancelled run must still say so.
        notifier.PublishAsync(stepEvent, CancellationToken.None).GetAwaiter().GetResult();
    }
}
