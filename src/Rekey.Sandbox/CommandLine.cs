using System.Globalization;
using Rekey.Sandbox.DataPlane;

namespace Rekey.Sandbox;

/// <summary>Parses the sandbox's command line into <see cref="SandboxOptions"/>.</summary>
public static class CommandLine
{
    public const string Usage = """
        Usage: Rekey.Sandbox [--port 4566] [--dns-port 4553] [--dns-address 127.0.0.1] [--clock-speed 1] [--state-file PATH] [--region us-east-1]
                             [--cluster-create-minutes 5] [--restore-minutes 20] [--instance-create-minutes 10]
                             [--rename-minutes 1] [--dns-change-minutes 1] [--restorable-lag-minutes 5]
                             [--integration-create-minutes 20] [--chaos-seed N] [--rate-limits aws|off|rds=300/12]
                             [--data-plane auto|postgres|model] [--data-plane-dir PATH]
        Durations are in sandbox minutes (fractions allowed). --chaos-seed turns on the unruly mode: late and
        lingering DNS names, late CloudWatch datapoints, a whole-second clock, IAM delays, all drawn from N.
        --rate-limits: AWS's API rate limits (the default), none, or a token bucket per service (burst/refill per
        second of sandbox time; comma-separated). --dns-address: the loopback address DNS listens on (with
        --dns-port 53, as root, a resolv.conf can name it). --data-plane=postgres backs each aurora-postgresql cluster
        with a real PostgreSQL server; auto (the default) does so when PostgreSQL's server programs are installed.
        """;

    public static SandboxOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = new SandboxOptions();
        var durations = options.Durations;
        var dataPlane = "auto";
        for (var i = 0; i < args.Count; i++)
        {
            var (name, value) = Split(args, ref i);
            switch (name)
            {
                case "--port": options = options with { Port = Int(name, value) }; break;
                case "--dns-port": options = options with { DnsPort = Int(name, value) }; break;
                case "--dns-address": options = options with { DnsAddress = Loopback(name, value) }; break;
                case "--clock-speed": options = options with { ClockSpeed = Number(name, value) }; break;
                case "--state-file": options = options with { StateFile = Path.GetFullPath(value) }; break;
                case "--region": options = options with { DefaultRegion = value }; break;
                case "--cluster-create-minutes": durations = durations with { ClusterCreate = Minutes(name, value) }; break;
                case "--restore-minutes": durations = durations with { Restore = Minutes(name, value) }; break;
                case "--instance-create-minutes": durations = durations with { InstanceCreate = Minutes(name, value) }; break;
                case "--rename-minutes": durations = durations with { Rename = Minutes(name, value) }; break;
                case "--dns-change-minutes": durations = durations with { DnsChange = Minutes(name, value) }; break;
                case "--restorable-lag-minutes": durations = durations with { RestorableLag = Minutes(name, value) }; break;
                case "--integration-create-minutes": durations = durations with { IntegrationCreate = Minutes(name, value) }; break;
                case "--chaos-seed": options = options with { ChaosSeed = Seed(name, value) }; break;
                case "--rate-limits": options = options with { RateLimits = RateLimits(name, value) }; break;
                case "--data-plane": dataPlane = value; break;
                case "--data-plane-dir": options = options with { DataPlaneDirectory = Path.GetFullPath(value) }; break;
                default: throw new ArgumentException($"Unknown option {name}.");
            }
        }

        if (options.ClockSpeed <= 0)
        {
            throw new ArgumentException("--clock-speed must be positive.");
        }

        return options with { Durations = durations, DataPlane = DataPlaneFor(dataPlane) };
    }

    private static DataPlaneMode DataPlaneFor(string value) => value switch
    {
        "auto" => PostgresBinaries.Find() is null ? DataPlaneMode.Model : DataPlaneMode.Postgres,
        "postgres" => PostgresBinaries.Find() is null ? throw new ArgumentException(PostgresBinaries.MissingMessage) : DataPlaneMode.Postgres,
        "model" => DataPlaneMode.Model,
        _ => throw new ArgumentException($"--data-plane must be auto, postgres or model, not '{value}'."),
    };

    private static (string Name, string Value) Split(IReadOnlyList<string> args, ref int i)
    {
        var arg = args[i];
        var equals = arg.IndexOf('=', StringComparison.Ordinal);
        if (equals > 0)
        {
            return (arg[..equals], arg[(equals + 1)..]);
        }

        if (i + 1 >= args.Count)
        {
            throw new ArgumentException($"{arg} needs a value.");
        }

        i++;
        return (arg, args[i]);
    }

    private static int Int(string name, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var port) && port is >= 0 and <= 65535
            ? port
            : throw new ArgumentException($"{name} must be a port number, not '{value}'.");

    private static System.Net.IPAddress Loopback(string name, string value) =>
        System.Net.IPAddress.TryParse(value, out var address) && System.Net.IPAddress.IsLoopback(address)
            ? address
            : throw new ArgumentException($"{name} must be a loopback address such as 127.0.0.153, not '{value}'.");

    private static double Number(string name, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new ArgumentException($"{name} must be a number, not '{value}'.");

    private static long Seed(string name, string value) =>
        long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seed)
            ? seed
            : throw new ArgumentException($"{name} must be a whole number, not '{value}'.");

    private static IReadOnlyDictionary<string, Core.ApiRateLimit> RateLimits(string name, string value)
    {
        if (value.Equals("aws", StringComparison.OrdinalIgnoreCase))
        {
            return Core.ApiRateLimiter.Aws;
        }

        if (value.Equals("off", StringComparison.OrdinalIgnoreCase))
        {
            return SandboxOptions.NoRateLimits;
        }

        var limits = new Dictionary<string, Core.ApiRateLimit>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            var slash = part.IndexOf('/', StringComparison.Ordinal);
            if (equals <= 0 || slash < equals
                || !double.TryParse(part[(equals + 1)..slash], NumberStyles.Float, CultureInfo.InvariantCulture, out var burst)
                || !double.TryParse(part[(slash + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var perSecond)
                || burst < 1 || perSecond <= 0)
            {
                throw new ArgumentException($"{name} takes aws, off or SERVICE=BURST/PER_SECOND (e.g. rds=300/12), not '{value}'.");
            }

            limits[part[..equals]] = new Core.ApiRateLimit(burst, perSecond);
        }

        return limits;
    }

    private static TimeSpan Minutes(string name, string value) => TimeSpan.FromMinutes(Number(name, value));
}
