using System.Reflection;
using Cake.Common.Build.GitHubActions.Data;
using Cake.Core;
using Cake.Core.Diagnostics;
using Cake.Frosting;
using Rekey.Aws.Runtime;
using Rekey.Build.Infrastructure;
using Rekey.Configuration;
using Rekey.Reporting;

namespace Rekey.Build.Lifetime;

/// <summary>
/// Before the first task: refuses a run that would change AWS without <c>--confirm=&lt;cluster&gt;</c>.
/// After the last: writes the run's report (JSON and Markdown) under the artifacts folder and, under
/// GitHub Actions, into the job summary.
/// </summary>
public sealed class RunLifetime(IEnumerable<IFrostingTask> tasks, StepRecorder steps, RunMode mode) : FrostingLifetime<RekeyContext>
{
    private string _target = "run";

    public override void Setup(RekeyContext context, ISetupContext info)
    {
        _target = info.TargetTask.Name;
        var settings = context.Settings;
        var stepNames = info.TasksToExecute.Select(t => t.Name).ToList();
        LogStart(context, info.TargetTask.Name, stepNames);
        RefuseExclusiveComposite(info.TargetTask.Name);

        // A dry run changes nothing and writes no report, so it needs neither a confirmation nor a writable folder.
        if (!mode.DryRun)
        {
            RefuseUnwritableFolders(settings);
        }

        var mutating = MutatingTasks(mode.Exclusive ? mode.Targets : stepNames).ToList();
        if (mutating.Count > 0 && !mode.DryRun)
        {
            RequireConfirmation(settings, mutating);
        }
    }

    private static void LogStart(RekeyContext context, string target, IReadOnlyList<string> stepNames)
    {
        var settings = context.Settings;
        if (settings.Cluster is not null)
        {
            // The run id a cluster's lock names: the job action hands it on (a stopped run resumes under it).
            context.SetStepOutput("run-id", context.RunId);
        }

        context.Log.Information("Rekey {0}: {1}", target, string.Join(" -> ", stepNames));
        if (settings.Cluster is not null)
        {
            context.Log.Information(
                "Cluster {0} in {1}, run {2}{3}",
                settings.Cluster,
                settings.Region ?? "the default Region",
                context.RunId,
                settings.Environment is null ? string.Empty : $", environment {settings.Environment}");
        }
    }

    /// <summary>--exclusive on a composite target would run nothing: refused, saying what to run instead.</summary>
    private void RefuseExclusiveComposite(string targetName)
    {
        if (mode.Exclusive && tasks.FirstOrDefault(t => IsNamed(t, targetName)) is { } target
            && target.GetType().GetCustomAttribute<CompositeTargetAttribute>() is not null)
        {
            var steps = target.GetType().GetCustomAttribute<TaskDescriptionAttribute>()?.Description;
            throw new InvalidArgumentsException(
                $"--exclusive runs only {targetName}'s own work, and {targetName} has none: it is its steps ({steps?.TrimEnd('.')}); nothing was done. "
                + $"Run --target={targetName} without --exclusive, or one step with --target=STEP --exclusive.");
        }
    }

    private static void RefuseUnwritableFolders(RekeySettings settings)
    {
        var unwritable = new[]
            {
                WritableFolder.ProblemWith($"--{ArgumentNames.ArtifactsDirectory}", settings.ArtifactsDirectory),
                settings.IamOutput is { } iam ? WritableFolder.ProblemWith($"--{ArgumentNames.IamOutput}", iam) : null,
            }
            .OfType<string>()
            .ToList();
        if (unwritable.Count > 0)
        {
            throw new InvalidArgumentsException(unwritable);
        }
    }

    /// <summary>Steps that change AWS need the cluster and <c>--confirm</c> naming it.</summary>
    private static void RequireConfirmation(RekeySettings settings, IReadOnlyList<string> mutating)
    {
        if (settings.Cluster is null)
        {
            throw new InvalidArgumentsException($"{string.Join(", ", mutating)} change AWS and need the cluster: give --cluster=ID and --confirm=ID.");
        }

        if (settings.Confirm is null)
        {
            throw new InvalidArgumentsException(
                $"{string.Join(", ", mutating)} change AWS; nothing was done. Confirm by giving --confirm={settings.Cluster} (the workflow adds it after its approval).");
        }

        if (settings.Confirm != settings.Cluster)
        {
            throw new InvalidArgumentsException(
                $"--confirm={settings.Confirm} does not name the cluster --cluster={settings.Cluster}; nothing was done. Confirm the cluster you mean.");
        }
    }

    public override void Teardown(RekeyContext context, ITeardownContext info)
    {
        if (!context.HasRun || context.Settings.Cluster is null)
        {
            return;
        }

        var report = Report(context, info);
        WriteReport(context, report, info.Successful);
        context.AddToStepSummary(report.ToMarkdown(context.WarningsInStepSummary), report.Warnings);
        Annotate(context, report, info.Successful);
        if (!info.Successful)
        {
            context.Log.Error("Rekey stopped: {0}", report.Error ?? "a step failed");
        }
    }

    private RunReport Report(RekeyContext context, ITeardownContext info)
    {
        var run = context.Run;
        var times = run.Journal.Marks;
        return new RunReport
        {
            Target = _target,
            Cluster = context.Settings.Cluster!,
            Region = run.Region.SystemName,
            Environment = context.Settings.Environment,
            RunId = context.RunId,
            RunUrl = context.RunUrl,
            Actor = context.GitHubActions.IsRunningOnGitHubActions && context.GitHubActions.Environment.Workflow.Actor is { Length: > 0 } actor ? actor : null,
            Succeeded = info.Successful,
            Error = info.ThrownException is { } thrown
                ? Cause(thrown) is OperationCanceledException ? "Cancelled (SIGINT or SIGTERM); rerun to resume." : AwsErrors.Describe(Cause(thrown))
                : null,
            Steps = steps.Steps,
            StartedAt = context.AwsDates.Since(0).First,
            FinishedAt = context.AwsDates.Since(0).Last,
            AwsTimes = times,
            OutageSeconds = Outage(context.Verification?.Outage, times)?.TotalSeconds,
            Facts = run.Journal.Facts,
            Preflight = context.Preflight,
            Verification = context.Verification,
            Checks = run.Journal.Checks,
            Final = run.Journal.Final,
            Warnings = run.Journal.Warnings.Select(w => w.Message).Concat(context.Preflight?.Warnings ?? []).Distinct().ToList(),
            Changes = run.Guard.Admitted,
            Log = run.Journal.Entries.Where(e => e.Level == JournalLevel.Info).Select(e => $"{e.Step}: {e.Message}").ToList(),
        };
    }

    /// <summary>Restore-swap's writers are down from Fence to the new writer; Blue/Green's only for the switchover, which bounds its outage.</summary>
    private static TimeSpan? Outage(TimeSpan? verified, IReadOnlyDictionary<string, DateTimeOffset> times) =>
        verified
        ?? (times.TryGetValue("fenced", out var start) && times.TryGetValue("writer-available", out var end) ? end - start : (TimeSpan?)null)
        ?? (times.TryGetValue("switchover-started", out var asked) && times.TryGetValue("switched", out var switched) ? switched - asked : (TimeSpan?)null);

    /// <summary>One file pair per target, so a cutover's evidence survives the Backup (or Verify) that follows it in the same run.</summary>
    private void WriteReport(RekeyContext context, RunReport report, bool successful)
    {
        try
        {
            var name = ReportName(context.Settings.Cluster!, mode.Targets.Count > 0 ? mode.Targets.Select(TaskName) : [_target]);
            var (json, markdown) = report.WriteTo(context.Settings.ArtifactsDirectory, name);
            context.Log.Information("Report: {0} and {1}", json, markdown);
            context.SetStepOutput("report-json", json);
            context.SetStepOutput("report-markdown", markdown);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // The folder was writable when the run started; an error here must not hide the run's own outcome
            // behind a stack trace. The summary below (and the job summary) still carry the report.
            context.Log.Error(
                "The report could not be written to {0}: {1} Its content follows; make the folder writable before the next run.",
                context.Settings.ArtifactsDirectory,
                exception.Message);
            context.Log.Information(report.ToMarkdown(context.WarningsInStepSummary));
            if (successful)
            {
                throw new InvalidOperationException(
                    $"The run succeeded, but its report could not be written to {context.Settings.ArtifactsDirectory}: {exception.Message}", exception);
            }
        }
    }

    /// <summary>Annotations show on the run's page, so the approver sees them without opening the log.</summary>
    private void Annotate(RekeyContext context, RunReport report, bool successful)
    {
        if (!context.GitHubActions.IsRunningOnGitHubActions)
        {
            return;
        }

        foreach (var warning in report.Warnings)
        {
            context.GitHubActions.Commands.Warning(warning, new GitHubActionsAnnotation { Title = $"{_target} of {report.Cluster}" });
        }

        if (successful)
        {
            context.GitHubActions.Commands.Notice(
                report.OutageSeconds is { } o
                    ? $"{_target} of {report.Cluster} succeeded; write outage {Durations.Text(o)} on AWS's clock."
                    : $"{_target} of {report.Cluster} succeeded.",
                new GitHubActionsAnnotation { Title = $"{_target} of {report.Cluster}" });
        }
    }

    /// <summary><c>CLUSTER-TARGET-report</c>, the target in lower case with hyphens (<c>orders-verify-backup-report</c>); several targets are joined.</summary>
    internal static string ReportName(string cluster, IEnumerable<string> targets) =>
        $"{cluster}-{string.Join('-', targets.Select(Kebab))}-report";

    private static string Kebab(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) && i > 0 && !char.IsUpper(name[i - 1]) ? $"-{char.ToLowerInvariant(c)}" : char.ToLowerInvariant(c).ToString()));

    /// <summary>
    /// The exception that says what went wrong: wrappers (aggregate, reflection) are peeled off, but not the
    /// inner exceptions an SDK error carries (an AmazonServiceException's inner is its bare HTTP error).
    /// </summary>
    internal static Exception Cause(Exception exception)
    {
        while (exception is AggregateException or TargetInvocationException && exception.InnerException is { } inner)
        {
            exception = inner;
        }

        return exception;
    }

    /// <summary>The task's own spelling of a target the command line may have spelled in another case.</summary>
    private string TaskName(string target) =>
        tasks.FirstOrDefault(t => IsNamed(t, target)) is { } task ? task.GetType().GetCustomAttribute<TaskNameAttribute>()?.Name ?? target : target;

    private static bool IsNamed(IFrostingTask task, string name) =>
        string.Equals(task.GetType().GetCustomAttribute<TaskNameAttribute>()?.Name ?? task.GetType().Name, name, StringComparison.OrdinalIgnoreCase);

    private IEnumerable<string> MutatingTasks(IReadOnlyCollection<string> names) =>
        tasks.Select(t => t.GetType())
            .Where(t => t.GetCustomAttribute<ChangesAwsAttribute>() is not null)
            .Select(t => t.GetCustomAttribute<TaskNameAttribute>()?.Name ?? t.Name)
            .Where(n => names.Contains(n, StringComparer.OrdinalIgnoreCase));
}
