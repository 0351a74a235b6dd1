using System.Net;
using Amazon.Runtime;

namespace Rekey.EndToEnd.Tests.Support;

/// <summary>The runner died: thrown where the SDK would have handed a response back, and for every request after that.</summary>
public sealed class SimulatedCrashException : Exception
{
    public SimulatedCrashException()
    {
    }

    public SimulatedCrashException(string message)
        : base(message)
    {
    }

    public SimulatedCrashException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// HTTP for the SDK's clients that lets the first <c>crashAfter</c> mutating AWS calls reach the server and
/// succeed, then behaves like a runner that died at that instant: the response of the Nth never reaches the
/// caller, and no request after it leaves the machine (no lock release, no tag, no retry).
/// With no limit it only counts, so a clean run tells how many crash points there are.
/// </summary>
public sealed class CrashingHttpClientFactory(int? crashAfter = null) : HttpClientFactory
{
    private readonly SocketsHttpHandler _network = new();
    private readonly Lock _sync = new();
    private readonly List<string> _succeeded = [];
    private readonly int? _crashAfter = crashAfter;
    private bool _crashed;

    /// <summary>The mutating operations that succeeded on the server, in order.</summary>
    public IReadOnlyList<string> Succeeded
    {
        get
        {
            lock (_sync)
            {
                return [.. _succeeded];
            }
        }
    }

    /// <summary>Crash right after the first mutating call of this operation succeeded, whatever its number.</summary>
    public string? CrashAfterOperation { get; init; }

    /// <summary>Runs after each call (reads included) the server answered with success, before its caller sees the response.</summary>
    public Func<string, Task>? AfterAnswered { get; init; }

    /// <summary>Runs after each mutating call succeeded on the server, before its caller sees the response.</summary>
    public Func<string, Task>? AfterSucceeded { get; init; }

    public bool Crashed
    {
        get
        {
            lock (_sync)
            {
                return _crashed;
            }
        }
    }

    public override HttpClient CreateHttpClient(IClientConfig clientConfig) =>
        new(new CrashingHandler(this) { InnerHandler = _network }, disposeHandler: false);

    // A cache shared across factories would hand one factory's handler to another's clients.
    public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

    public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => true;

    /// <summary>The AWS operation a request calls: Query's Action parameter, or JSON's X-Amz-Target.</summary>
    public static async Task<string?> OperationOfAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Headers.TryGetValues("X-Amz-Target", out var targets))
        {
            var target = targets.First();
            return target[(target.LastIndexOf('.') + 1)..];
        }

        var query = request.RequestUri?.Query.TrimStart('?') ?? string.Empty;
        var body = request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken);
        foreach (var pair in $"{query}&{body}".Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            if (pair.StartsWith("Action=", StringComparison.Ordinal))
            {
                return WebUtility.UrlDecode(pair["Action=".Length..]);
            }
        }

        return null;
    }

    /// <summary>Whether an operation changes AWS. SNS Publish is a notification, not a change the pipeline depends on.</summary>
    public static bool IsMutating(string operation) =>
        operation != "Publish"
        && MutatingPrefixes.Any(prefix => operation.StartsWith(prefix, StringComparison.Ordinal));

    private static readonly string[] MutatingPrefixes =
    [
        "Create", "Modify", "Delete", "Restore", "Add", "Remove", "Register", "Deregister", "Failover", "Reboot",
        "Put", "Enable", "Disable", "Tag", "Untag", "Update", "Schedule", "Cancel", "Start", "Stop", "Copy", "Switchover",
    ];

    private sealed class CrashingHandler(CrashingHttpClientFactory owner) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (owner.Crashed)
            {
                throw new SimulatedCrashException("The runner is gone; this request was never sent.");
            }

            var operation = await OperationOfAsync(request, cancellationToken);
            var response = await base.SendAsync(request, cancellationToken);
            if (operation is not null && response.IsSuccessStatusCode && owner.AfterAnswered is { } answered)
            {
                await answered(operation);
            }

            if (operation is null || !IsMutating(operation) || !response.IsSuccessStatusCode)
            {
                return response;
            }

            bool crash;
            lock (owner._sync)
            {
                owner._succeeded.Add(operation);
                crash = !owner._crashed && (owner._succeeded.Count == owner._crashAfter || operation == owner.CrashAfterOperation);
                owner._crashed |= crash;
            }

            if (!crash)
            {
                if (owner.AfterSucceeded is { } after)
                {
                    await after(operation);
                }

                return response;
            }

            response.Dispose();
            throw new SimulatedCrashException($"The runner died right after {operation}, mutating call {owner._succeeded.Count}, succeeded on the server.");
        }
    }
}
