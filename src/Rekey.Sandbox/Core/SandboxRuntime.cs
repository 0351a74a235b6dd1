using System.Net;
using Rekey.Sandbox.Protocols;

namespace Rekey.Sandbox.Core;

/// <summary>
/// The shared machinery every service uses: clock, organizations, keys, faults, call record and
/// the state lock. All state is read and changed under <see cref="Execute{T}"/> or
/// <see cref="Read{T}"/>, which first let every <see cref="IClockDriven"/> component catch up
/// with the clock; one lock keeps cross-service operations (Backup reading RDS) consistent.
/// </summary>
public sealed partial class SandboxRuntime(
    ILogger<SandboxRuntime> logger,
    SandboxOptions options,
    SandboxClock clock,
    SandboxOrganizations organizations,
    IKeyRegistry keys,
    FaultInjector faults,
    CallLog calls,
    ApiRateLimiter rateLimiter,
    IEnumerable<IClockDriven> clockDriven,
    Lazy<StateStore> stateStore)
{
    private readonly Lock _sync = new();
    private readonly IClockDriven[] _clockDriven = [.. clockDriven];

    public SandboxOptions Options => options;

    public SandboxDurations Durations => options.Durations;

    public SandboxClock Clock => clock;

    public SandboxOrganizations Organizations => organizations;

    public IKeyRegistry Keys => keys;

    public FaultInjector Faults => faults;

    public CallLog Calls => calls;

    public ApiRateLimiter RateLimits => rateLimiter;

    /// <summary>
    /// Runs one AWS operation: applies due transitions, injects call faults, runs the handler,
    /// records the call, and saves the state after a successful mutating call.
    /// </summary>
    public T Execute<T>(AwsRequestContext request, string operation, bool mutating, string throttlingCode, Func<T> handler)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(handler);
        lock (_sync)
        {
            var now = AdvanceUnderLock();
            string? errorCode = null;
            try
            {
                RefuseByFaultOrRateLimit(request, operation, throttlingCode, now);
                var result = RunHandler(request, operation, handler);
                if (mutating)
                {
                    // Components that follow the state (the real data plane) act on the change at once: a reboot closes connections now.
                    AdvanceUnderLock();
                    stateStore.Value.Save();
                }

                return result;
            }
            catch (AwsServiceException error)
            {
                errorCode = error.Code;
                throw;
            }
            finally
            {
                RecordCall(request, operation, mutating, now, errorCode);
            }
        }
    }

    /// <summary>Throws the call fault injected for the operation, or AWS's throttling error when the rate limit is exhausted.</summary>
    private void RefuseByFaultOrRateLimit(AwsRequestContext request, string operation, string throttlingCode, DateTimeOffset now)
    {
        if (faults.TakeCallFault(request.Service, operation) is { } fault)
        {
            throw fault.Kind == FaultKind.Throttle
                ? new AwsServiceException(fault.ErrorCode ?? throttlingCode, fault.Message ?? "Rate exceeded", (HttpStatusCode)(fault.HttpStatus ?? 400))
                : new AwsServiceException(
                    fault.ErrorCode ?? "InternalFailure",
                    fault.Message ?? "The request processing has failed because of an unknown error, exception or failure.",
                    (HttpStatusCode)(fault.HttpStatus ?? 500),
                    senderFault: (fault.HttpStatus ?? 500) < 500);
        }

        // AWS answers an exhausted rate limit as a sender fault, HTTP 400, "Rate exceeded" (RDS: Throttling).
        if (!rateLimiter.TryTake(request.Account, request.Region, request.Service, now, request.Http.Request.Headers.UserAgent.ToString()))
        {
            throw new AwsServiceException(throttlingCode, "Rate exceeded", HttpStatusCode.BadRequest);
        }
    }

    /// <summary>Runs the handler; an exception other than an AWS error is a sandbox bug, answered as AWS's InternalFailure.</summary>
    private T RunHandler<T>(AwsRequestContext request, string operation, Func<T> handler)
    {
        try
        {
            return handler();
        }
        catch (Exception error) when (error is not AwsServiceException)
        {
            // A sandbox bug: answer as AWS answers its own internal errors, and say so.
            LogInternalFailure(error, request.Service, operation);
            throw new AwsServiceException(
                "InternalFailure",
                $"The sandbox failed while serving {operation}: {error.Message}",
                HttpStatusCode.InternalServerError,
                senderFault: false);
        }
    }

    private void RecordCall(AwsRequestContext request, string operation, bool mutating, DateTimeOffset now, string? errorCode)
    {
        calls.Add(new CallRecord(
            now,
            request.Account,
            request.Region,
            request.Service,
            operation,
            mutating,
            request.RequestId,
            errorCode,
            [.. request.Authorization.Resources],
            new Dictionary<string, string>(request.Authorization.RequestTags, StringComparer.Ordinal),
            request.Authorization.Principal,
            request.Caller.AccessKeyId));
        LogCall(request.Service, operation, request.Account, request.Region, errorCode ?? "ok");
    }

    /// <summary>
    /// Holds a call that a Delay fault matches until the sandbox clock has moved on by the fault's delay, so its
    /// change lands late; moving the clock forward releases it early. Runs before <see cref="Execute{T}"/>, outside the lock.
    /// </summary>
    public async Task DelayAsync(AwsRequestContext request, string operation)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (faults.TakeCallDelay(request.Service, operation) is not { } delay)
        {
            return;
        }

        var due = clock.Now + delay;
        while (clock.Now < due)
        {
            var realRemaining = TimeSpan.FromTicks((long)((due - clock.Now).Ticks / clock.Speed));
            await Task.Delay(TimeSpan.FromTicks(Math.Clamp(realRemaining.Ticks, TimeSpan.TicksPerMillisecond, 20 * TimeSpan.TicksPerMillisecond)), request.Http.RequestAborted);
        }
    }

    /// <summary>Reads state (sandbox API, DNS) after applying due transitions.</summary>
    public T Read<T>(Func<T> reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        lock (_sync)
        {
            AdvanceUnderLock();
            return reader();
        }
    }

    /// <summary>Changes state from the sandbox API (not an AWS call: not recorded) and saves it.</summary>
    public T Change<T>(Func<T> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        lock (_sync)
        {
            AdvanceUnderLock();
            var result = change();
            stateStore.Value.Save();
            return result;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Service} {Operation} account {Account} {Region}: {Outcome}")]
    private partial void LogCall(string service, string operation, string account, string region, string outcome);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Service} {Operation} failed inside the sandbox")]
    private partial void LogInternalFailure(Exception error, string service, string operation);

    private DateTimeOffset AdvanceUnderLock()
    {
        var now = clock.Now;
        foreach (var component in _clockDriven)
        {
            component.AdvanceTo(now);
        }

        return now;
    }
}
