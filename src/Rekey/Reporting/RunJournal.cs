using System.Collections.Concurrent;
using Rekey.Checks;

namespace Rekey.Reporting;

/// <summary>What a run did, step by step and on AWS's clock, for the report and the notifications.</summary>
public sealed class RunJournal
{
    private readonly ConcurrentQueue<JournalEntry> _entries = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> _marks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _facts = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<StepChecks> _checks = new();

    public IReadOnlyList<JournalEntry> Entries => [.. _entries];

    /// <summary>Moments on AWS's clock by name (fenced, t1, writer-available, ...).</summary>
    public IReadOnlyDictionary<string, DateTimeOffset> Marks => _marks;

    /// <summary>Facts worth reporting by name (target key ARN, restore time, ...).</summary>
    public IReadOnlyDictionary<string, string> Facts => _facts;

    public void Add(string step, string message, JournalLevel level = JournalLevel.Info) =>
        _entries.Enqueue(new JournalEntry(step, level, message));

    /// <summary>Raised after each <see cref="Mark"/>, so a moment can be announced when it happens (the write outage's start and end).</summary>
    public event Action<string, DateTimeOffset>? Marked;

    public void Mark(string name, DateTimeOffset awsTime)
    {
        _marks[name] = awsTime;
        Marked?.Invoke(name, awsTime);
    }

    public void Fact(string name, string value) => _facts[name] = value;

    /// <summary>What AWS showed when the run's verdict was made; null when no target read it.</summary>
    public FinalState? Final { get; private set; }

    public void RecordFinal(FinalState state) => Final = state;

    /// <summary>Every step's checklist, in the order the steps recorded them.</summary>
    public IReadOnlyList<StepChecks> Checks => [.. _checks];

    /// <summary>
    /// Keeps a step's checklist for the report; each item not measured is a warning too, so it shows where warnings
    /// show (annotations, notifications) even when the step went on without it.
    /// </summary>
    public void RecordChecks(string step, Checklist checks)
    {
        ArgumentNullException.ThrowIfNull(checks);
        _checks.Enqueue(new StepChecks(step, checks.Items));
        foreach (var item in checks.NotMeasured)
        {
            Add(step, $"Not measured: {item.What}: {item.Detail}{(item.LookInstead is null ? string.Empty : $" Look instead at: {item.LookInstead}")}", JournalLevel.Warning);
        }
    }

    public IEnumerable<JournalEntry> Warnings => _entries.Where(e => e.Level == JournalLevel.Warning);

    /// <summary>Where the journal stands now, so <see cref="Since"/> can tell what one step added.</summary>
    public JournalCheckpoint Checkpoint() =>
        new(_entries.Count, new Dictionary<string, string>(_facts, StringComparer.Ordinal), new Dictionary<string, DateTimeOffset>(_marks, StringComparer.Ordinal));

    /// <summary>The entries added, and the facts and marks set or changed, after <paramref name="checkpoint"/>.</summary>
    public JournalChanges Since(JournalCheckpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var facts = _facts.Where(f => !checkpoint.Facts.TryGetValue(f.Key, out var before) || before != f.Value)
            .OrderBy(f => f.Key, StringComparer.Ordinal)
            .ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal);
        var marks = _marks.Where(m => !checkpoint.Marks.TryGetValue(m.Key, out var before) || before != m.Value)
            .OrderBy(m => m.Value)
            .ToDictionary(m => m.Key, m => m.Value, StringComparer.Ordinal);
        return new JournalChanges([.. _entries.Skip(checkpoint.EntryCount)], facts, marks);
    }
}

/// <summary>A point in a <see cref="RunJournal"/>.</summary>
public sealed record JournalCheckpoint(int EntryCount, IReadOnlyDictionary<string, string> Facts, IReadOnlyDictionary<string, DateTimeOffset> Marks)
{
    /// <summary>An empty journal's point: everything recorded later is new.</summary>
    public static JournalCheckpoint Start { get; } = new(0, new Dictionary<string, string>(), new Dictionary<string, DateTimeOffset>());
}

/// <summary>What a journal gained between a checkpoint and now.</summary>
public sealed record JournalChanges(IReadOnlyList<JournalEntry> Entries, IReadOnlyDictionary<string, string> Facts, IReadOnlyDictionary<string, DateTimeOffset> Marks)
{
    public static JournalChanges None { get; } = new([], new Dictionary<string, string>(), new Dictionary<string, DateTimeOffset>());
}

/// <summary>The checks one step made, as the report lists them.</summary>
public sealed record StepChecks(string Step, IReadOnlyList<CheckItem> Items);

public sealed record JournalEntry(string Step, JournalLevel Level, string Message);

public enum JournalLevel
{
    Info,
    Warning,
}
