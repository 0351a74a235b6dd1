using System.Globalization;
using Rekey.Sandbox.Core;
using Rekey.Sandbox.Protocols;
using Rekey.Sandbox.RDS;

namespace Rekey.Sandbox.CloudWatch;

public sealed record MetricDimension(string Name, string Value);

/// <summary>One MetricDataQuery, whichever protocol it came in.</summary>
public sealed record MetricQuery
{
    public required string Id { get; init; }

    public string? Namespace { get; init; }

    public string? MetricName { get; init; }

    public IReadOnlyList<MetricDimension> Dimensions { get; init; } = [];

    public int Period { get; init; }

    public string? Stat { get; init; }

    public string? Label { get; init; }

    public bool ReturnData { get; init; } = true;

    public string? Expression { get; init; }

    public string? AccountId { get; init; }
}

public sealed record MetricDataRequest(IReadOnlyList<MetricQuery> Queries, DateTimeOffset StartTime, DateTimeOffset EndTime, bool Ascending, int MaxDatapoints);

public sealed record MetricResult(string Id, string Label, IReadOnlyList<DateTimeOffset> Timestamps, IReadOnlyList<double> Values);

/// <summary>
/// The AWS/RDS metrics the sandbox can compute from what it simulates: DatabaseConnections
/// (connections of the simulated application open at each minute) and CommitThroughput (its
/// acknowledged writes per second over each minute), for the dimensions DBInstanceIdentifier and
/// DBClusterIdentifier, and the Blue/Green replication lag (<see cref="ReplicationSamples"/>). Like RDS, the sandbox emits one sample a minute, from the resource's
/// creation up to the sandbox's now; periods aggregate those samples with the requested statistic.
/// A dimension names the resource by its identifier now: after a rename the whole history follows
/// the new name (AWS keeps it under the old one), which the sandbox cannot tell apart. In the unruly mode a sample
/// can be read only once its delay (<see cref="ChaosMode.MetricDelay"/>) has passed on the sandbox clock.
/// </summary>
public sealed class SimulatedRdsMetrics(RdsState rds, SimulatedApplications applications, SandboxRuntime runtime, ChaosMode chaos, DataPlane.PostgresDataPlane dataPlane)
{
    private static readonly TimeSpan SampleInterval = TimeSpan.FromMinutes(1);

    public IReadOnlyList<MetricResult> GetMetricData(string account, string region, MetricDataRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Queries.Count is 0 or > 500)
        {
            throw InvalidParameter("The parameter MetricDataQueries must contain between 1 and 500 queries.");
        }

        // CloudWatch's own wording for each case (the first seen from AWS and moto when both times come from one whole-second Date).
        if (request.StartTime == request.EndTime)
        {
            throw InvalidParameter("The parameter StartTime must not equal parameter EndTime.");
        }

        if (request.StartTime > request.EndTime)
        {
            throw InvalidParameter("The parameter StartTime must be less than the parameter EndTime.");
        }

        var results = new List<MetricResult>();
        foreach (var query in request.Queries)
        {
            if (query.Expression is not null)
            {
                // Metric math is not modelled; refusing is safer than returning made-up numbers.
                throw InvalidParameter($"The sandbox does not evaluate metric math (query {query.Id}). Use MetricStat queries.");
            }

            if (query.MetricName is null || query.Namespace is null || query.Stat is null)
            {
                throw MissingParameter($"The parameter MetricDataQueries.member.{query.Id}.MetricStat is required.");
            }

            if (query.Period <= 0 || (query.Period % 60 != 0 && query.Period is not (1 or 5 or 10 or 30)))
            {
                throw InvalidParameter("The parameter MetricDataQueries.member.MetricStat.Period must be 1, 5, 10, 30 or a multiple of 60.");
            }

            var statistic = Statistic(query.Stat);
            if (!query.ReturnData)
            {
                continue;
            }

            var samples = query.AccountId is { } other && other != account ? [] : Samples(account, region, query, BucketStart(request.StartTime, query.Period), request.EndTime);
            var buckets = samples
                .GroupBy(s => BucketStart(s.Time, query.Period))
                .Where(g => g.Key >= BucketStart(request.StartTime, query.Period) && g.Key < request.EndTime)
                .Select(g => (Time: g.Key, Value: statistic(g.Select(s => s.Value).ToList())))
                .ToList();
            var ordered = (request.Ascending ? buckets.OrderBy(b => b.Time) : buckets.OrderByDescending(b => b.Time)).Take(request.MaxDatapoints).ToList();
            results.Add(new MetricResult(query.Id, query.Label ?? query.MetricName, [.. ordered.Select(b => b.Time)], [.. ordered.Select(b => b.Value)]));
        }

        return results;
    }

    private List<(DateTimeOffset Time, double Value)> Samples(string account, string region, MetricQuery query, DateTimeOffset startTime, DateTimeOffset endTime)
    {
        if (query.Namespace != "AWS/RDS" || query.Dimensions.Count != 1)
        {
            return [];
        }

        if (query.MetricName is { } name && runtime.Faults.HidesMetric(name))
        {
            return [];
        }

        if (query.MetricName is "AuroraBinlogReplicaLag" or "OldestReplicationSlotLag")
        {
            return ReplicationSamples(account, region, query, startTime, endTime);
        }

        if (query.MetricName is not ("DatabaseConnections" or "CommitThroughput"))
        {
            return [];
        }

        return ApplicationSamples(account, region, query, startTime, endTime);
    }

    /// <summary>DatabaseConnections and CommitThroughput of the simulated application on the cluster or instance the dimension names.</summary>
    private List<(DateTimeOffset Time, double Value)> ApplicationSamples(string account, string region, MetricQuery query, DateTimeOffset startTime, DateTimeOffset endTime)
    {
        var dimension = query.Dimensions[0];
        Func<AppConnection, bool> belongs;
        DateTimeOffset since;
        switch (dimension.Name)
        {
            case "DBClusterIdentifier" when rds.FindCluster(account, region, dimension.Value) is { } cluster:
                belongs = c => c.ClusterResourceId == cluster.ResourceId;
                since = cluster.CreateTime;
                break;
            case "DBInstanceIdentifier" when rds.FindInstance(account, region, dimension.Value) is { } instance:
                belongs = c => c.InstanceResourceId == instance.ResourceId;
                since = instance.CreateTime;
                break;
            default:
                return [];
        }

        var connections = applications.Connections().Where(belongs).ToList();
        var connectionIds = connections.Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
        var writes = query.MetricName == "CommitThroughput"
            ? applications.Writes().Where(w => w.Acknowledged && connectionIds.Contains(w.ConnectionId)).Select(w => w.Time).Order().ToList()
            : [];
        var last = Min(runtime.Clock.Now, endTime);
        var samples = new List<(DateTimeOffset, double)>();
        var firstSample = BucketStart(since, 60).Add(SampleInterval);
        for (var minute = firstSample > startTime ? firstSample : BucketStart(startTime, 60); minute <= last; minute += SampleInterval)
        {
            if (!Arrived(account, region, query, minute))
            {
                continue;
            }

            var at = minute;
            double value = query.MetricName == "DatabaseConnections"
                ? connections.Count(c => c.OpenedAt <= at && (c.ClosedAt is null || c.ClosedAt > at))
                : writes.Count(t => t >= at - SampleInterval && t < at) / SampleInterval.TotalSeconds;
            samples.Add((at, value));
        }

        return samples;
    }

    /// <summary>
    /// Blue/Green replication, while green replicates blue: Aurora MySQL's AuroraBinlogReplicaLag on
    /// the green cluster (seconds), Aurora PostgreSQL's OldestReplicationSlotLag on blue's writer
    /// (bytes of WAL green has not received: every simulated write counts as 1 KiB).
    /// </summary>
    private List<(DateTimeOffset Time, double Value)> ReplicationSamples(string account, string region, MetricQuery query, DateTimeOffset startTime, DateTimeOffset endTime)
    {
        if (ReplicatingDeployment(account, region, query) is not ({ } deployment, { } blue))
        {
            return [];
        }

        var last = Min(runtime.Clock.Now, endTime);
        if (query.MetricName == "OldestReplicationSlotLag" && dataPlane.SlotLag(blue.ResourceId) is { Count: > 0 } real)
        {
            return RealSlotLagSamples(real, startTime, last);
        }

        var samples = new List<(DateTimeOffset, double)>();
        var firstSample = BucketStart(deployment.CreateTime, 60).Add(SampleInterval);
        for (var minute = firstSample > startTime ? firstSample : BucketStart(startTime, 60); minute <= last; minute += SampleInterval)
        {
            if (!Arrived(account, region, query, minute))
            {
                continue;
            }

            var lag = rds.ReplicaLag(blue, minute);
            var at = minute;
            samples.Add((minute, query.MetricName == "AuroraBinlogReplicaLag"
                ? lag.TotalSeconds
                : blue.Writes.Count(w => w.Time > at - lag && w.Time <= at) * 1024.0));
        }

        return samples;
    }

    /// <summary>
    /// The replicating deployment and its blue cluster the replication metric's dimension names: the green cluster for
    /// AuroraBinlogReplicaLag, blue's writer for OldestReplicationSlotLag; nulls when it names neither.
    /// </summary>
    private (BlueGreenDeployment? Deployment, DbCluster? Blue) ReplicatingDeployment(string account, string region, MetricQuery query)
    {
        var dimension = query.Dimensions[0];
        if (query.MetricName == "AuroraBinlogReplicaLag" && dimension.Name == "DBClusterIdentifier" && rds.FindCluster(account, region, dimension.Value) is { Engine: "aurora-mysql" } green)
        {
            var deployment = rds.BlueGreenDeployments.FirstOrDefault(d => d.TargetClusterResourceId == green.ResourceId && d.Replicates);
            return (deployment, deployment is null ? null : rds.ClusterByResourceId(deployment.SourceClusterResourceId));
        }

        if (query.MetricName == "OldestReplicationSlotLag" && dimension.Name == "DBInstanceIdentifier" &&
            rds.FindInstance(account, region, dimension.Value) is { Engine: "aurora-postgresql" } writer &&
            rds.ClusterByResourceId(writer.ClusterResourceId) is { } cluster && cluster.WriterResourceId == writer.ResourceId)
        {
            return (rds.BlueGreenDeployments.FirstOrDefault(d => d.SourceClusterResourceId == cluster.ResourceId && d.Replicates), cluster);
        }

        return (null, null);
    }

    /// <summary>A real-engine blue: the largest sampled lag of its slot in each minute.</summary>
    private static List<(DateTimeOffset Time, double Value)> RealSlotLagSamples(
        IReadOnlyList<(DateTimeOffset Time, double Bytes)> real, DateTimeOffset startTime, DateTimeOffset last)
    {
        var samples = new List<(DateTimeOffset, double)>();
        for (var minute = BucketStart(Max(real[0].Time, startTime), 60); minute <= last; minute += SampleInterval)
        {
            var end = minute + SampleInterval;
            var inMinute = real.Where(r => r.Time >= minute && r.Time < end).Select(r => r.Bytes).ToList();
            if (inMinute.Count > 0)
            {
                samples.Add((minute, inMinute.Max()));
            }
        }

        return samples;
    }

    /// <summary>Whether the sample stamped <paramref name="minute"/> has reached CloudWatch (always, unless the unruly mode delays it).</summary>
    private bool Arrived(string account, string region, MetricQuery query, DateTimeOffset minute)
    {
        if (!chaos.IsOn)
        {
            return true;
        }

        var dimension = query.Dimensions[0];
        var metric = $"{account}/{region}/{query.MetricName}/{dimension.Name}={dimension.Value}";
        return minute + chaos.MetricDelay(metric, minute) <= runtime.Clock.Now;
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static DateTimeOffset BucketStart(DateTimeOffset time, int periodSeconds)
    {
        var seconds = time.ToUnixTimeSeconds();
        return DateTimeOffset.FromUnixTimeSeconds(seconds - (seconds % periodSeconds));
    }

    private static Func<List<double>, double> Statistic(string stat)
    {
        switch (stat)
        {
            case "Average":
                return v => v.Average();
            case "Sum":
                return v => v.Sum();
            case "Minimum":
                return v => v.Min();
            case "Maximum":
                return v => v.Max();
            case "SampleCount":
                return v => v.Count;
        }

        if (stat.StartsWith('p') && double.TryParse(stat[1..], NumberStyles.Float, CultureInfo.InvariantCulture, out var percentile) && percentile is >= 0 and <= 100)
        {
            return v =>
            {
                var sorted = v.Order().ToList();
                var rank = (int)Math.Ceiling(percentile / 100 * sorted.Count) - 1;
                return sorted[Math.Clamp(rank, 0, sorted.Count - 1)];
            };
        }

        throw InvalidParameter($"The value {stat} for parameter MetricDataQueries.member.MetricStat.Stat is not a valid statistic.");
    }

    private static AwsServiceException InvalidParameter(string message) => new("InvalidParameterValue", message);

    private static AwsServiceException MissingParameter(string message) => new("MissingParameter", message);
}
