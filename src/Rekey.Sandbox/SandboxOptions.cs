namespace Rekey.Sandbox;

/// <summary>How a sandbox instance listens, how fast its clock runs and how long AWS operations take.</summary>
public sealed record SandboxOptions
{
    /// <summary>HTTP port on 127.0.0.1; 0 picks a free port.</summary>
    public int Port { get; init; } = 4566;

    /// <summary>DNS port (UDP and TCP) on <see cref="DnsAddress"/>; 0 picks a free port.</summary>
    public int DnsPort { get; init; } = 4553;

    /// <summary>
    /// The loopback address the DNS server listens on. Another one than 127.0.0.1 (e.g. 127.0.0.53 is systemd-resolved's,
    /// so 127.0.0.153) lets it take port 53, the only port a resolv.conf can name, beside a resolver already on 127.0.0.1:53.
    /// </summary>
    public System.Net.IPAddress DnsAddress { get; init; } = System.Net.IPAddress.Loopback;

    /// <summary>Sandbox seconds per real second.</summary>
    public double ClockSpeed { get; init; } = 1;

    /// <summary>Sandbox time when the clock starts; the real time when null. A loaded state file wins.</summary>
    public DateTimeOffset? ClockStart { get; init; }

    /// <summary>JSON file the state is loaded from at start and saved to after each change; none when null.</summary>
    public string? StateFile { get; init; }

    /// <summary>Region assumed when a request carries no credential scope.</summary>
    public string DefaultRegion { get; init; } = "us-east-1";

    public SandboxDurations Durations { get; init; } = new();

    /// <summary>The unruly mode's seed (<see cref="Core.ChaosMode"/>); null keeps the sandbox tidy.</summary>
    public long? ChaosSeed { get; init; }
    /// <summary>
    /// API rate limits by signing name (token buckets per account and Region, see Core.ApiRateLimiter); AWS's own by
    /// default, empty for none. <see cref="ForTests"/> turns them off: a test that counts calls on a slow clock opts in.
    /// </summary>
    public IReadOnlyDictionary<string, Core.ApiRateLimit> RateLimits { get; init; } = Core.ApiRateLimiter.Aws;

    /// <summary>What stands behind aurora-postgresql clusters: the model, or a real PostgreSQL server each (see DataPlane/).</summary>
    public DataPlane.DataPlaneMode DataPlane { get; init; } = Sandbox.DataPlane.DataPlaneMode.Model;

    /// <summary>Where the real servers keep their data, WAL archives and base backups; a temp folder removed at stop when null.</summary>
    public string? DataPlaneDirectory { get; init; }

    /// <summary>Logs every AWS call (and sandbox failures) to the console; the command line turns it on.</summary>
    public bool ConsoleLogging { get; init; }

    /// <summary>Options for tests: free ports and a clock fast enough that AWS minutes pass in a fraction of a second.</summary>
    public static SandboxOptions ForTests(double clockSpeed = 600) => new() { Port = 0, DnsPort = 0, ClockSpeed = clockSpeed, RateLimits = NoRateLimits };

    /// <summary>No API rate limit for any service.</summary>
    public static IReadOnlyDictionary<string, Core.ApiRateLimit> NoRateLimits { get; } = new Dictionary<string, Core.ApiRateLimit>();

    /// <summary>These options with AWS's API rate limits (Rehearse, Benchmark and the end-to-end tests run under them).</summary>
    public SandboxOptions WithAwsRateLimits() => this with { RateLimits = Core.ApiRateLimiter.Aws };
}

/// <summary>Durations in sandbox time, with defaults modelled on what AWS takes.</summary>
public sealed record SandboxDurations
{
    public TimeSpan ClusterCreate { get; init; } = TimeSpan.FromMinutes(5);
    public TimeSpan Restore { get; init; } = TimeSpan.FromMinutes(20);
    public TimeSpan InstanceCreate { get; init; } = TimeSpan.FromMinutes(10);
    public TimeSpan Rename { get; init; } = TimeSpan.FromMinutes(1);
    public TimeSpan Modify { get; init; } = TimeSpan.FromMinutes(1);
    public TimeSpan Reboot { get; init; } = TimeSpan.FromMinutes(1);
    public TimeSpan Delete { get; init; } = TimeSpan.FromMinutes(2);
    public TimeSpan Snapshot { get; init; } = TimeSpan.FromMinutes(3);
    public TimeSpan Failover { get; init; } = TimeSpan.FromMinutes(1);
    public TimeSpan DnsChange { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a zero-ETL integration stays creating before it is active.</summary>
    public TimeSpan IntegrationCreate { get; init; } = TimeSpan.FromMinutes(20);

    /// <summary>How far LatestRestorableTime trails the clock.</summary>
    public TimeSpan RestorableLag { get; init; } = TimeSpan.FromMinutes(5);
}
