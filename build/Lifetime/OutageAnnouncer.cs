using System.Globalization;
using Rekey.Notifications;
using Rekey.Reporting;

namespace Rekey.Build.Lifetime;

/// <summary>
/// Tells the SNS topic when the write outage starts and when it ends, as the steps record those moments on AWS's clock:
/// restore-swap's writes are down from Fence's rename of the old cluster to the new writer answering at the old address;
/// Blue/Green's from the start of the switchover to its end. The messages go out in order, without holding up the step
/// that records the moment (the outage is running), and each step's end waits for them.
/// </summary>
public sealed class OutageAnnouncer
{
    /// <summary>The journal marks that start the write outage, and why writes stop there.</summary>
    private static readonly Dictionary<string, string> Starts = new(StringComparer.Ordinal)
    {
        ["fenced"] = "Fence renamed the old cluster; the old address has no writer until the new cluster's writer answers there",
        ["switchover-started"] = "the Blue/Green switchover started; writes are refused until it completes",
    };

    /// <summary>The journal marks that end it: the start mark each one closes.</summary>
    private static readonly Dictionary<string, string> Ends = new(StringComparer.Ordinal)
    {
        ["writer-available"] = "fenced",
        ["switched"] = "switchover-started",
    };

    private readonly Lock _sync = new();
    private readonly SnsNotifier _notifier;
    private readonly StepEvent _template;
    private readonly RunJournal _journal;
    private readonly Func<string?> _step;
    private Task _sent = Task.CompletedTask;

    /// <summary>Listens to <paramref name="journal"/>'s marks and announces the outage's through <paramref name="notifier"/>.</summary>
    /// <param name="notifier">Publishes to the run's topic.</param>
    /// <param name="template">The run's fields every announcement carries (cluster, environment, run, Region, link).</param>
    /// <param name="journal">The run's journal, whose marks the steps record on AWS's clock.</param>
    /// <param name="step">The step in progress, which the announcement names.</param>
    public OutageAnnouncer(SnsNotifier notifier, StepEvent template, RunJournal journal, Func<string?> step)
    {
        ArgumentNullException.ThrowIfNull(journal);
        _notifier = notifier;
        _template = template;
        _journal = journal;
        _step = step;
        journal.Marked += OnMarked;
    }

    /// <summary>The journal this announcer listens to.</summary>
    public RunJournal Journal => _journal;

    /// <summary>Waits until every announcement so far was published (or failed with a warning).</summary>
    public Task FlushAsync()
    {
        lock (_sync)
        {
            return _sent;
        }
    }

    /// <summary>Stops listening (the run is over).</summary>
    public void Detach() => _journal.Marked -= OnMarked;

    /// <summary>The announcement a mark makes, or null when the mark neither starts nor ends the write outage.</summary>
    public static StepEvent? For(StepEvent template, string mark, DateTimeOffset at, IReadOnlyDictionary<string, DateTimeOffset> marks)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(marks);
        var cluster = template.Cluster ?? "the cluster";
        if (Starts.TryGetValue(mark, out var why))
        {
            return template with
            {
                Status = "writes-down",
                Details = $"Writes to {cluster} are down since {Aws(at)} (AWS's clock): {why}.",
                Times = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal) { ["writes-down"] = at },
            };
        }

        if (!Ends.TryGetValue(mark, out var startMark))
        {
            return null;
        }

        var down = marks.TryGetValue(startMark, out var start) ? start : (DateTimeOffset?)null;
        return template with
        {
            Status = "writes-back",
            Details = down is { } since
                ? $"Writes to {cluster} are back at {Aws(at)} (AWS's clock), after a write outage of {Durations.Text(at - since)} (down since {Aws(since)})."
                : $"Writes to {cluster} are back at {Aws(at)} (AWS's clock); the outage's start is not in this run's record, so its length is not measured.",
            DurationSeconds = down is { } from ? Math.Round((at - from).TotalSeconds, 1) : null,
            Times = down is { } begun
                ? new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal) { ["writes-down"] = begun, ["writes-back"] = at }
                : new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal) { ["writes-back"] = at },
        };
    }

    private void OnMarked(string mark, DateTimeOffset at)
    {
        if (For(_template with { Step = _step() ?? _template.Step }, mark, at, _journal.Marks) is not { } announcement)
        {
            return;
        }

        lock (_sync)
        {
            // The run's token is not taken: a run stopped during the outage must still say where writes stand.
            var previous = _sent;
            _sent = SendAfterAsync(previous, announcement);
        }
    }

    private async Task SendAfterAsync(Task previous, StepEvent announcement)
    {
        await previous.ConfigureAwait(false);
        await _notifier.PublishAsync(announcement, CancellationToken.None).ConfigureAwait(false);
    }

    private static string Aws(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
