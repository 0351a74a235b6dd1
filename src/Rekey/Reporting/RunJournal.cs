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
}

public sealed record JournalEntry(string Step, JournalLevel Level, string Message);

public enum JournalLevel
{
    Info,
    Warning,
}
