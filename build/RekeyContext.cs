using Cake.Common.Build.GitHubActions;
using Cake.Core;
using Cake.Frosting;
using Microsoft.Extensions.Logging;
using Rekey.Aws;
using Rekey.Build.Infrastructure;
using Rekey.Configuration;
using Rekey.Dns;
using Rekey.Migration;
using Rekey.Runtime;
using Rekey.Waiting;
using Spectre.Console;

namespace Rekey.Build;

/// <summary>
/// The context every Rekey task receives: Cake's context plus the settings, read and checked once
/// when the run starts, so a bad argument fails before any step has done anything; and the run
/// (AWS clients, DNS, waiter, journal), made on first use.
/// </summary>
public sealed class RekeyContext : FrostingContext, IDisposable
{
    private readonly Lazy<RekeyRun> _run;

    public RekeyContext(ICakeContext context, IAnsiConsole console, IAwsClientFactory? awsClientFactory = null, HostCancellation? cancellation = null)
        : base(context)
    {
        // Cake's provider, as context.GitHubActions() makes it, but writing its commands to the host's console:
        // the alias's own writer goes to Console.Out, past a redirected or captured console.
        GitHubActions = new GitHubActionsProvider(context.Environment, context.FileSystem, new HostConsoleMessageWriter(console));
        CancellationToken = cancellation?.Token ?? CancellationToken.None;
        Settings = SettingsReader.Read(
            ArgumentsOf(context.Arguments),
            name => context.Environment.GetEnvironmentVariable(name),
            HostArguments);
        RunId = Settings.RunId ?? $"local-{Guid.NewGuid():N}"[..18];
        Logger = new CakeLogger(context.Log);
        _run = new Lazy<RekeyRun>(() => new RekeyRun(
            Settings,
            RunId,
            Observed(awsClientFactory ?? new AwsClientFactory(RekeyClientDefaults.Options with { RetryMode = Settings.RetryMode }), context.Log, AwsDates),
            new EndpointResolver(Settings.DnsServer),
            Waits(Settings),
            TimeProvider.System,
            Logger,
            Step,
            () => AwsDates.Latest));
    }

    public RekeySettings Settings { get; }

    /// <summary>Every AWS answer's Date: the run's and each step's start and end on AWS's clock, for the report.</summary>
    public AwsAnswerDates AwsDates { get; } = new();

    /// <summary>The step in progress (set around each task), whose rules the run's change guard applies.</summary>
    public Safety.StepInProgress Step { get; } = new();

    /// <summary>The targets the command line names (Cake's --target, repeatable); Default when none.</summary>
    public IReadOnlyList<string> Targets => Arguments.HasArgument("target") ? [.. Arguments.GetArguments("target")] : ["Default"];

    /// <summary>Only Plan was asked for: a blocked Preflight still lets it write the plan, which lists the blockers.</summary>
    public bool PlanOnly => Targets.All(t => string.Equals(t, "Plan", StringComparison.OrdinalIgnoreCase));

    /// <summary>Cancelled by SIGINT/SIGTERM: every step and wait takes it, and stops at a safe point.</summary>
    public CancellationToken CancellationToken { get; }

    public string RunId { get; }

    public ILogger Logger { get; }

    /// <summary>The run's AWS clients, DNS and journal; made when a step first needs them.</summary>
    public RekeyRun Run => _run.Value;

    public bool HasRun => _run.IsValueCreated;

    /// <summary>What Preflight found in this run; null when it did not run (e.g. with --exclusive).</summary>
    public PreflightReport? Preflight { get; set; }

    /// <summary>The key ARN PrepareKey settled on in this run.</summary>
    public string? TargetKeyArn { get; set; }

    /// <summary>The backup set-up BackupPreflight read in this run.</summary>
    public Backup.BackupSetup? BackupSetup { get; set; }

    /// <summary>What Verify found in this run.</summary>
    public VerifyResult? Verification { get; set; }

    /// <summary>Cake's GitHub Actions support: whether this is a job, its variables, and its workflow commands.</summary>
    public IGitHubActionsProvider GitHubActions { get; }

    /// <summary>The link to this GitHub Actions run (from the variables GitHub sets on its runners), when there is one.</summary>
    public string? RunUrl =>
        GitHubActions is { IsRunningOnGitHubActions: true, Environment.Workflow: { ServerUrl: { Length: > 0 } server, Repository: { Length: > 0 } repository, RunId: { Length: > 0 } run } }
            ? $"{server}/{repository}/actions/runs/{run}"
            : null;

    /// <summary>Warnings the job summary shows already, so that a later part of it does not repeat them.</summary>
    public ISet<string> WarningsInStepSummary { get; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Adds Markdown to the job's summary page, noting the <paramref name="warnings"/> it shows; does nothing outside GitHub Actions.</summary>
    public void AddToStepSummary(string markdown, IEnumerable<string>? warnings = null)
    {
        WarningsInStepSummary.UnionWith(warnings ?? []);
        if (GitHubActions is { IsRunningOnGitHubActions: true, Environment.Runtime.StepSummary: not null })
        {
            GitHubActions.Commands.SetStepSummary(markdown);
        }
    }

    /// <summary>
    /// Sets an output of the running GitHub Actions step (the job action passes run-id, report-json, report-markdown
    /// and plan-json on to its caller); does nothing outside GitHub Actions or when the runner gives no output file.
    /// </summary>
    public void SetStepOutput(string name, string value)
    {
        if (GitHubActions is { IsRunningOnGitHubActions: true, Environment.Runtime.OutputPath: not null })
        {
            GitHubActions.Commands.SetOutputParameter(name, value);
        }
    }

    // Every AWS answer's Date is kept; at --verbosity=diagnostic every call is logged too: operation, endpoint, duration,
    // retries, credential source.
    private static IAwsClientFactory Observed(IAwsClientFactory factory, Cake.Core.Diagnostics.ICakeLog log, AwsAnswerDates dates) =>
        factory.WithCallObserver(log.Verbosity >= Cake.Core.Diagnostics.Verbosity.Diagnostic ? new Both(dates, new CallLog(log)) : dates);

    private sealed class Both(Aws.Runtime.IAwsCallObserver first, Aws.Runtime.IAwsCallObserver second) : Aws.Runtime.IAwsCallObserver
    {
        public void Called(Aws.Runtime.AwsCall call)
        {
            first.Called(call);
            second.Called(call);
        }
    }

    private sealed class CallLog(Cake.Core.Diagnostics.ICakeLog log) : Aws.Runtime.IAwsCallObserver
    {
        public void Called(Aws.Runtime.AwsCall call) =>
            log.Write(Cake.Core.Diagnostics.Verbosity.Diagnostic, Cake.Core.Diagnostics.LogLevel.Debug, "{0}", call);
    }

    public void Dispose()
    {
        if (_run.IsValueCreated)
        {
            _run.Value.Dispose();
        }
    }

    // The engine's own arguments reach the build among the others; they are not Rekey's to check.
    // The Sandbox target's own (data-plane, state-file, sample, ports) are checked there, by the sandbox's command line.
    private static readonly IReadOnlySet<string> HostArguments =
        new HashSet<string>(["target", .. Tasks.SandboxTask.Arguments], StringComparer.OrdinalIgnoreCase);

    private static WaitSettings Waits(RekeySettings settings)
    {
        var waits = new WaitSettings();
        var poll = settings.PollInterval ?? waits.PollInterval;
        var maxPoll = settings.MaxPollInterval ?? (settings.PollInterval is null ? waits.MaxPollInterval : poll * 6);
        return waits with
        {
            PollInterval = poll,
            MaxPollInterval = maxPoll,

            // Ten of the longest backoff pauses (5 minutes by default), so it scales with --max-poll-interval as the rest does.
            MaxSparsePollInterval = maxPoll * 10,
            ClockSpeed = settings.ClockSpeed ?? 1,
            OutagePollInterval = settings.OutagePollInterval ?? (poll < waits.OutagePollInterval ? poll : waits.OutagePollInterval),
            LockSettle = poll,
            RenameDeadline = Capped(waits.RenameDeadline),
            DnsDeadline = Capped(waits.DnsDeadline),
            RestorableTimeDeadline = Capped(waits.RestorableTimeDeadline),
            RestoreDeadline = Capped(waits.RestoreDeadline),
            InstanceDeadline = Capped(waits.InstanceDeadline),
            DeleteDeadline = Capped(waits.DeleteDeadline),
            BackupJobDeadline = Capped(waits.BackupJobDeadline),
        };

        TimeSpan Capped(TimeSpan deadline) => settings.MaxWait is { } max && max < deadline ? max : deadline;
    }

    private static Dictionary<string, IReadOnlyList<string?>> ArgumentsOf(ICakeArguments arguments) =>
        arguments.GetArguments()
            .Where(a => !a.Key.StartsWith("settings_", StringComparison.OrdinalIgnoreCase))
            .ToDictionary(
                a => a.Key,
                a => (IReadOnlyList<string?>)a.Value.ToList(),
                StringComparer.OrdinalIgnoreCase);
}
