namespace Rekey.Sandbox.Core;

/// <summary>One AWS API call as the sandbox served it.</summary>
public sealed record CallRecord(
    DateTimeOffset Time,
    string Account,
    string Region,
    string Service,
    string Operation,
    bool Mutating,
    string RequestId,
    string? ErrorCode);

/// <summary>Every AWS API call, in order, so tests can count (mutating) calls per account and service.</summary>
public sealed class CallLog
{
    private readonly Lock _sync = new();
    private readonly List<CallRecord> _calls = [];

    public void Add(CallRecord call)
    {
        lock (_sync)
        {
            _calls.Add(call);
        }
    }

    public IReadOnlyList<CallRecord> Snapshot()
    {
        lock (_sync)
        {
            return [.. _calls];
        }
    }

    public IReadOnlyList<CallRecord> Find(string? account = null, string? service = null, string? operation = null, bool? mutating = null) =>
        [.. Snapshot().Where(c =>
            (account is null || c.Account == account) &&
            (service is null || c.Service == service) &&
            (operation is null || c.Operation == operation) &&
            (mutating is null || c.Mutating == mutating))];

    public void Clear()
    {
        lock (_sync)
        {
            _calls.Clear();
        }
    }
}
