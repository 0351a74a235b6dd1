using System.Collections.Concurrent;

namespace Rekey.Reporting;

/// <summary>What a run did, step by step and on AWS's clock, for the report and the notifications.</summary>
public sealed class RunJournal
{
    private readonly ConcurrentQueue<JournalEntry> _entries = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> _marks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _facts = new(StringComparer.Ordinal);

    public IReadOnlyList<JournalEntry> Entries => [.. _entries];

    /// <summary>Moments on AWS's clock by name (fenced, t1, writer-available, ...).</summary>
    public IReadOnlyDictionary<string, DateTimeOffset> Marks => _marks;

    /// <summary>Facts worth reporting by name (target key ARN, restore time, ...).</summary>
    public IReadOnlyDictionary<string, string> Facts => _facts;

    public void Add(string step, string message, JournalLevel level = JournalLevel.Info) =>
        _entries.Enqueue(new JournalEntry(step, level, message));

    public void Mark(string name, DateTimeOffset awsTime) => _marks[name] = awsTime;

    public void Fact(string name, string value) => _facts[name] = value;

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

public sealed record JournalEntry(string Step, JournalLevel Level, string Message);

public enum JournalLevel
{
    Info,
    Warning,
}
