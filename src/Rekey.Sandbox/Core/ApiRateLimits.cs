namespace Rekey.Sandbox.Core;

/// <summary>A token bucket: <see cref="Burst"/> calls at once, refilled at <see cref="PerSecond"/> calls per second of sandbox time.</summary>
public sealed record ApiRateLimit(double Burst, double PerSecond)
{
    /// <summary>RDS's API throttling (RDS User Guide, "Amazon RDS API throttling"): bursts of 300, 12 per second sustained.</summary>
    public static ApiRateLimit Rds { get; } = new(300, 12);
}

/// <summary>
/// AWS's API rate limits: one token bucket per account, Region and service, shared by every caller, on the sandbox
/// clock. Only services for which AWS documents a figure are limited (RDS); a call that finds its bucket empty is
/// answered with the service's throttling error and takes no token.
/// </summary>
public sealed partial class ApiRateLimiter
{
    private readonly Lock _sync = new();
    private readonly Dictionary<string, ApiRateLimit> _limits = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<(string Account, string Region, string Service), (double Tokens, DateTimeOffset At)> _buckets = [];
    private readonly Dictionary<string, (int Calls, int Throttled)> _callers = new(StringComparer.Ordinal);

    public ApiRateLimiter(SandboxOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Set(options.RateLimits);
    }

    /// <summary>AWS's documented limits, by signing name.</summary>
    public static IReadOnlyDictionary<string, ApiRateLimit> Aws { get; } =
        new Dictionary<string, ApiRateLimit>(StringComparer.OrdinalIgnoreCase) { ["rds"] = ApiRateLimit.Rds };

    /// <summary>The limits in force, by signing name; empty when rate limiting is off.</summary>
    public IReadOnlyDictionary<string, ApiRateLimit> Limits
    {
        get
        {
            lock (_sync)
            {
                return new Dictionary<string, ApiRateLimit>(_limits, StringComparer.OrdinalIgnoreCase);
            }
        }
    }

    /// <summary>Replaces the limits; every bucket starts full again.</summary>
    public void Set(IReadOnlyDictionary<string, ApiRateLimit> limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        foreach (var (service, limit) in limits)
        {
            if (limit.Burst < 1 || limit.PerSecond <= 0 || double.IsNaN(limit.Burst) || double.IsNaN(limit.PerSecond))
            {
                throw new ArgumentOutOfRangeException(nameof(limits), limit, $"The rate limit of {service} needs a burst of at least 1 and a positive refill rate.");
            }
        }

        lock (_sync)
        {
            _limits.Clear();
            foreach (var (service, limit) in limits)
            {
                _limits[service] = limit;
            }

            _buckets.Clear();
        }
    }

    /// <summary>
    /// Calls to rate-limited services and how many were throttled, per caller: the application id the AWS SDKs put in
    /// the User-Agent (<c>app/ID</c>, from AWS_SDK_UA_APP_ID), or "-" for a caller that names none. Many callers share one
    /// account's limit; this tells them apart.
    /// </summary>
    public IReadOnlyDictionary<string, (int Calls, int Throttled)> Callers()
    {
        lock (_sync)
        {
            return new Dictionary<string, (int Calls, int Throttled)>(_callers, StringComparer.Ordinal);
        }
    }

    /// <summary>Takes a token for a call at <paramref name="now"/>; false when the bucket is empty (the call is throttled).</summary>
    public bool TryTake(string account, string region, string service, DateTimeOffset now, string? userAgent = null)
    {
        lock (_sync)
        {
            if (!_limits.TryGetValue(service, out var limit))
            {
                return true;
            }

            var taken = Take(account, region, service, now, limit);
            var caller = userAgent is not null && AppId().Match(userAgent) is { Success: true } match ? match.Groups[1].Value : "-";
            var (calls, throttled) = _callers.GetValueOrDefault(caller);
            _callers[caller] = (calls + 1, throttled + (taken ? 0 : 1));
            return taken;
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"(?:^|\s)app/(\S+)")]
    private static partial System.Text.RegularExpressions.Regex AppId();

    // Called under _sync.
    private bool Take(string account, string region, string service, DateTimeOffset now, ApiRateLimit limit)
    {
        var key = (account, region, service.ToLowerInvariant());
        var (tokens, at) = _buckets.TryGetValue(key, out var bucket) ? bucket : (limit.Burst, now);
        if (now > at)
        {
            tokens = Math.Min(limit.Burst, tokens + ((now - at).TotalSeconds * limit.PerSecond));
            at = now;
        }

        if (tokens < 1)
        {
            _buckets[key] = (tokens, at);
            return false;
        }

        _buckets[key] = (tokens - 1, at);
        return true;
    }
}
