using Rekey.Aws.CloudWatch;
using Rekey.Aws.CloudWatch.Model;

namespace Rekey.Metrics;

/// <summary>Reads the AWS/RDS metrics the cutover uses as evidence: connections to the old instances, commits on the old cluster.</summary>
public static class RdsMetricsReader
{
    /// <summary>The datapoints of one AWS/RDS metric for one resource in <paramref name="window"/>, oldest first.</summary>
    public static async Task<IReadOnlyList<(DateTime Time, double Value)>> ReadAsync(
        IAmazonCloudWatch cloudWatch,
        string metricName,
        string dimensionName,
        string dimensionValue,
        string statistic,
        MetricWindow window,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cloudWatch);
        ArgumentNullException.ThrowIfNull(window);
        var request = new GetMetricDataRequest
        {
            StartTime = window.Start.UtcDateTime,
            EndTime = window.End.UtcDateTime,
            ScanBy = "TimestampAscending",
            MetricDataQueries =
            [
                new MetricDataQuery
                {
                    Id = "m0",
                    ReturnData = true,
                    MetricStat = new MetricStat
                    {
                        Period = window.PeriodSeconds,
                        Stat = statistic,
                        Metric = new Metric
                        {
                            Namespace = "AWS/RDS",
                            MetricName = metricName,
                            Dimensions = [new Dimension { Name = dimensionName, Value = dimensionValue }],
                        },
                    },
                },
            ],
        };

        var points = new List<(DateTime, double)>();
        do
        {
            var response = await cloudWatch.GetMetricDataAsync(request, cancellationToken).ConfigureAwait(false);
            foreach (var result in response.MetricDataResults ?? [])
            {
                var times = result.Timestamps ?? [];
                var values = result.Values ?? [];
                points.AddRange(times.Zip(values));
            }

            request.NextToken = response.NextToken;
        }
        while (!string.IsNullOrEmpty(request.NextToken));

        return points.OrderBy(p => p.Item1).ToList();
    }
}
