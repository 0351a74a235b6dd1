using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Rekey.Sandbox.Core;

/// <summary>
/// The unruly mode (<c>--chaos-seed=N</c>, or PUT /_sandbox/chaos): the sandbox takes the liberties AWS documents
/// it may take, which the tidy default never takes. New and renamed endpoint names resolve only after a delay of
/// their own and removed names keep answering for a while; CloudWatch datapoints arrive late, some stretches much
/// later; the clock reads whole seconds, so two readings in one second are equal; roles created through IAM can be
/// used only after a delay. Each delay is drawn from a hash of the seed and what it is about (a DNS name, a metric
/// and its minute, a role ARN), so a seed gives the same delays whatever the order of the requests, and all of them
/// are on the sandbox clock. docs/sandbox.md lists the sources.
/// </summary>
public sealed class ChaosMode
{
    /// <summary>Most a new name waits, beyond the sandbox's DNS change time, before it resolves.</summary>
    public static readonly TimeSpan MaxNameDelay = TimeSpan.FromSeconds(120);

    /// <summary>Most a removed name keeps answering after it should have stopped.</summary>
    public static readonly TimeSpan MaxNameLinger = TimeSpan.FromSeconds(90);

    /// <summary>The least and most an ordinary datapoint arrives after the end of its minute.</summary>
    public static readonly TimeSpan MinMetricDelay = TimeSpan.FromSeconds(60);

    public static readonly TimeSpan MaxMetricDelay = TimeSpan.FromSeconds(180);

    /// <summary>Datapoints come in blocks of this many minutes; a block held back arrives <see cref="MetricGapDelay"/> late.</summary>
    public static readonly TimeSpan MetricBlock = TimeSpan.FromMinutes(5);

    public static readonly TimeSpan MetricGapDelay = TimeSpan.FromMinutes(10);

    /// <summary>The share of metric blocks held back.</summary>
    public const double MetricGapShare = 0.2;

    /// <summary>The least and most a role created through IAM waits before STS and AWS Backup can use it.</summary>
    public static readonly TimeSpan MinIamDelay = TimeSpan.FromSeconds(5);

    public static readonly TimeSpan MaxIamDelay = TimeSpan.FromSeconds(120);

    private readonly Lock _sync = new();
    private readonly SandboxClock _clock;
    private long? _seed;

    public ChaosMode(SandboxOptions options, SandboxClock clock)
    {
        ArgumentNullException.ThrowIfNull(options);
        _clock = clock;
        Set(options.ChaosSeed);
    }

    /// <summary>The seed, or null when the sandbox is tidy (the default).</summary>
    public long? Seed
    {
        get
        {
            lock (_sync)
            {
                return _seed;
            }
        }
    }

    public bool IsOn => Seed is not null;

    /// <summary>Turns the mode on with <paramref name="seed"/>, or off with null; the clock reads whole seconds while it is on.</summary>
    public void Set(long? seed)
    {
        lock (_sync)
        {
            _seed = seed;
            _clock.WholeSeconds = seed is not null;
        }
    }

    /// <summary>How much later than the sandbox's DNS change time <paramref name="name"/> starts to resolve.</summary>
    public TimeSpan NameDelay(string name) => Scaled("name-delay", Normalize(name), TimeSpan.Zero, MaxNameDelay);

    /// <summary>How long <paramref name="name"/> keeps answering after it was removed.</summary>
    public TimeSpan NameLinger(string name) => Scaled("name-linger", Normalize(name), TimeSpan.Zero, MaxNameLinger);

    /// <summary>When the datapoint of <paramref name="metric"/> (metric and dimension) stamped <paramref name="minute"/> becomes readable.</summary>
    public TimeSpan MetricDelay(string metric, DateTimeOffset minute)
    {
        if (Seed is null)
        {
            return TimeSpan.Zero;
        }

        var block = minute.ToUnixTimeSeconds() / (long)MetricBlock.TotalSeconds;
        var held = Draw("metric-gap", $"{metric}@{block.ToString(CultureInfo.InvariantCulture)}") < MetricGapShare;
        var delay = Scaled("metric-delay", $"{metric}@{minute.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}", MinMetricDelay, MaxMetricDelay);
        return held ? delay + MetricGapDelay : delay;
    }

    /// <summary>How long after its creation the role <paramref name="roleArn"/> can be assumed and passed.</summary>
    public TimeSpan IamDelay(string roleArn) => Scaled("iam-delay", roleArn, MinIamDelay, MaxIamDelay);

    /// <summary>What the mode does, for GET /_sandbox/chaos.</summary>
    public object Describe() => new
    {
        seed = Seed,
        on = IsOn,
        wholeSecondClock = IsOn,
        nameDelaySeconds = new[] { 0, MaxNameDelay.TotalSeconds },
        nameLingerSeconds = new[] { 0, MaxNameLinger.TotalSeconds },
        metricDelaySeconds = new[] { MinMetricDelay.TotalSeconds, MaxMetricDelay.TotalSeconds },
        metricGap = new { blockMinutes = MetricBlock.TotalMinutes, share = MetricGapShare, extraSeconds = MetricGapDelay.TotalSeconds },
        iamDelaySeconds = new[] { MinIamDelay.TotalSeconds, MaxIamDelay.TotalSeconds },
    };

    private TimeSpan Scaled(string kind, string subject, TimeSpan least, TimeSpan most)
    {
        if (Seed is null)
        {
            return TimeSpan.Zero;
        }

        // Whole seconds, as everything the mode does.
        var seconds = least.TotalSeconds + Math.Floor(Draw(kind, subject) * (most - least).TotalSeconds);
        return TimeSpan.FromSeconds(seconds);
    }

    /// <summary>A number in [0, 1) that depends only on the seed, the kind of draw and its subject.</summary>
    private double Draw(string kind, string subject)
    {
        var seed = Seed ?? 0;
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{seed.ToString(CultureInfo.InvariantCulture)}|{kind}|{subject}"));
        return (BinaryPrimitives.ReadUInt64BigEndian(hash) >> 11) / (double)(1UL << 53);
    }

    private static string Normalize(string name) => name.TrimEnd('.').ToLowerInvariant();
}
