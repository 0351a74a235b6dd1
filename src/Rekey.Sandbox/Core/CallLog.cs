namespace Rekey.Sandbox.Core;

/// <summary>
/// One AWS API call as the sandbox served it, with what IAM evaluates for it: the resources it names,
/// creates, changes, deletes or hands to a service (ARN, tags at that moment, resource condition keys),
/// and the tags the request carries; who called, as CloudTrail's userIdentity tells it (principal, access key id).
/// </summary>
public sealed record CallRecord(
    DateTimeOffset Time,
    string Account,
    string Region,
    string Service,
    string Operation,
    bool Mutating,
    string RequestId,
    string? ErrorCode,
    IReadOnlyList<CallResource>? Resources = null,
    IReadOnlyDictionary<string, string>? RequestTags = null,
    string? Principal = null,
    string? AccessKeyId = null);

/// <summary>How a call uses a resource, as IAM sees it.</summary>
public enum CallResourceUse
{
    /// <summary>Named by the request and read or acted on (a source, a parameter group, a key).</summary>
    Named,

    /// <summary>Made by the call (its tags are those it was created with).</summary>
    Created,

    /// <summary>Made by the service on the caller's behalf under a name the service invents (Blue/Green's green).</summary>
    CreatedByService,

    /// <summary>Changed by the call (renamed, modified, switched over).</summary>
    Changed,

    /// <summary>Deleted by the call.</summary>
    Deleted,

    /// <summary>An IAM role the call hands to a service (iam:PassRole).</summary>
    Passed,
}

/// <summary>A resource of a call: its ARN, its tags at the call, and resource condition keys (kms:ResourceAliases, iam:PassedToService).</summary>
public sealed record CallResource(
    string Arn,
    CallResourceUse Use,
    IReadOnlyDictionary<string, string> Tags,
    IReadOnlyDictionary<string, IReadOnlyList<string>>? Context = null);

/// <summary>What a service learns about a request for IAM while serving it: filled by the service, read by the call record.</summary>
public sealed class CallAuthorization
{
    private readonly List<CallResource> _resources = [];
    private readonly Dictionary<string, string> _requestTags = new(StringComparer.Ordinal);

    public IReadOnlyList<CallResource> Resources => _resources;

    public IReadOnlyDictionary<string, string> RequestTags => _requestTags;

    /// <summary>The caller's ARN (an assumed-role session, or the account's root for account credentials).</summary>
    public string? Principal { get; set; }

    /// <summary>Adds a resource; the same ARN twice keeps the first use unless the later one is a creation, change or deletion.</summary>
    public void Add(string arn, CallResourceUse use, IEnumerable<KeyValuePair<string, string>>? tags = null, IReadOnlyDictionary<string, IReadOnlyList<string>>? context = null)
    {
        var existing = _resources.FindIndex(r => r.Arn == arn && r.Use != CallResourceUse.Passed);
        var record = new CallResource(arn, use, (tags ?? []).ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal), context);
        if (existing < 0 || use == CallResourceUse.Passed)
        {
            _resources.Add(record);
        }
        else if (_resources[existing].Use == CallResourceUse.Named && use != CallResourceUse.Named)
        {
            _resources[existing] = record;
        }
    }

    public void AddRequestTag(string key, string value) => _requestTags[key] = value;
}

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
