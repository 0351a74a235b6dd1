using Microsoft.Extensions.Logging;
using Rekey.Aws.RDS.Model;
using Rekey.Checks;
using Rekey.Clusters;
using Rekey.Dns;
using Rekey.Metrics;
using Rekey.Runtime;
using Rekey.State;
using Rekey.Waiting;
using Rekey.Migration;

namespace Rekey.RestoreSwap;

/// <summary>
/// Checks the result against what the fence recorded: the same endpoint names, resolving to the new
/// cluster; the customer managed key; every carried setting; every instance available; and no commit
/// on the old cluster after T1.
/// </summary>
public static class Verify
{
    public static async Task<VerifyResult> RunAsync(RekeyRun run, CancellationToken cancellationToken)
    {
        await run.Guard.EnsureRecordedKeyIsOwnAsync("Verify", cancellationToken).ConfigureAwait(false);
        var reader = new ClusterReader(run.Rds);
        var state = await MigrationState.ReadAsync(run, cancellationToken).ConfigureAwait(false);
        var target = state.Target ?? throw new InvalidOperationException($"The new cluster {run.ClusterId} does not exist.");
        var source = state.Source ?? throw new InvalidOperationException($"The old cluster {run.OldClusterId} is gone; there is nothing to compare with.");
        var definition = state.Definition ?? throw new InvalidOperationException($"The old cluster {run.OldClusterId} carries no recorded definition.");
        var checks = new Checklist();
        CheckClusterEndpointsAndKey(state, target, definition, checks);

        // Every name the cutover promised, asked until it resolves: instance names may appear later than the cluster's.
        var names = await CheckInstancesAsync(run, reader, target, definition, checks, cancellationToken).ConfigureAwait(false);
        names.Add(definition.ClusterEndpoint);
        names.Add(definition.ReaderEndpoint);
        names.AddRange(await CheckCustomEndpointsAsync(run, reader, definition, checks, cancellationToken).ConfigureAwait(false));
        await CheckResolveAsync(run, names, checks, cancellationToken).ConfigureAwait(false);

        foreach (var (name, oldValue, newValue) in CarriedSettings.ClusterDifferences(source, target))
        {
            checks.Fail($"cluster setting {name} is '{newValue}', the old cluster had '{oldValue}'");
        }

        checks.Pass($"{CarriedSettings.Cluster.Count(s => s.Verified)} cluster settings and {CarriedSettings.Instance.Count(s => s.Verified)} settings per instance");

        Terraform.TerraformChecks.AfterCutover(run, state.TargetKeyArn, checks);

        var commitsAfterT1 = await CommitsAfterT1Async(run, state.T1, checks, cancellationToken).ConfigureAwait(false);

        var result = new VerifyResult
        {
            ClusterId = run.ClusterId,
            Checks = checks,
            FencedAt = state.FencedAt,
            T1 = state.T1,
            WriterAvailableAt = Timestamp(target.Tag(RekeyTags.WriterAvailableAt)),
            TargetKeyArn = state.TargetKeyArn,
            CommitsOnOldClusterAfterT1 = commitsAfterT1,
        };

        run.Journal.RecordChecks("Verify", checks);
        run.Log.LogInformation("Verify of {Cluster}: {Summary}", run.ClusterId, checks.Summary());
        return result;
    }

    private static void CheckClusterEndpointsAndKey(MigrationState state, DBCluster target, SourceDefinition definition, Checklist checks)
    {
        checks.Check(
            target.Endpoint == definition.ClusterEndpoint,
            $"cluster endpoint {definition.ClusterEndpoint}",
            $"the cluster endpoint is {target.Endpoint}, not {definition.ClusterEndpoint}");
        checks.Check(
            target.ReaderEndpoint == definition.ReaderEndpoint,
            $"reader endpoint {definition.ReaderEndpoint}",
            $"the reader endpoint is {target.ReaderEndpoint}, not {definition.ReaderEndpoint}");
        checks.Check(
            target.StorageEncrypted == true && target.KmsKeyId == state.TargetKeyArn,
            $"storage key {state.TargetKeyArn}",
            $"the storage key is {target.KmsKeyId}, not {state.TargetKeyArn}");
    }

    /// <summary>The writer and each recorded instance: there, available, at its endpoint, with the old instance's settings; their endpoints.</summary>
    private static async Task<List<string>> CheckInstancesAsync(
        RekeyRun run, ClusterReader reader, DBCluster target, SourceDefinition definition, Checklist checks, CancellationToken cancellationToken)
    {
        var names = new List<string>();
        var newInstances = await reader.InstancesOfAsync(run.ClusterId, cancellationToken).ConfigureAwait(false);
        checks.Check(target.WriterId() == definition.WriterId, $"writer {definition.WriterId}", $"the writer is {target.WriterId()}, not {definition.WriterId}");

        foreach (var recorded in definition.Instances)
        {
            var instance = newInstances.FirstOrDefault(i => i.DBInstanceIdentifier == recorded.Id);
            if (instance is null)
            {
                checks.Fail($"instance {recorded.Id} is missing from the new cluster");
                continue;
            }

            checks.Check(instance.IsAvailable(), $"instance {recorded.Id} available", $"instance {recorded.Id} is {instance.DBInstanceStatus}");
            checks.Check(
                instance.Endpoint?.Address == recorded.Endpoint,
                $"instance endpoint {recorded.Endpoint}",
                $"instance {recorded.Id}'s endpoint is {instance.Endpoint?.Address}, not {recorded.Endpoint}");
            var old = await reader.FindInstanceAsync(run.OldNameOf(recorded.Id), cancellationToken).ConfigureAwait(false);
            if (old is not null)
            {
                foreach (var (name, oldValue, newValue) in CarriedSettings.InstanceDifferences(old, instance))
                {
                    checks.Fail($"instance {recorded.Id}: {name} is '{newValue}', the old instance had '{oldValue}'");
                }
            }

            names.Add(recorded.Endpoint);
        }

        return names;
    }

    /// <summary>Each recorded custom endpoint at its address with its members; the endpoints that exist.</summary>
    private static async Task<List<string>> CheckCustomEndpointsAsync(
        RekeyRun run, ClusterReader reader, SourceDefinition definition, Checklist checks, CancellationToken cancellationToken)
    {
        var names = new List<string>();
        var customEndpoints = await reader.CustomEndpointsOfAsync(run.ClusterId, cancellationToken).ConfigureAwait(false);
        foreach (var recorded in definition.CustomEndpoints)
        {
            var endpoint = customEndpoints.FirstOrDefault(e => e.DBClusterEndpointIdentifier == recorded.Name);
            checks.Check(
                endpoint?.Endpoint == recorded.Endpoint,
                $"custom endpoint {recorded.Endpoint}",
                $"custom endpoint {recorded.Name} is {endpoint?.Endpoint ?? "missing"}, not {recorded.Endpoint}");
            if (endpoint is not null)
            {
                checks.Check(
                    Same(endpoint.StaticMembers, recorded.StaticMembers) && Same(endpoint.ExcludedMembers, recorded.ExcludedMembers),
                    $"custom endpoint {recorded.Name} members",
                    $"custom endpoint {recorded.Name} has other members than before");
                names.Add(recorded.Endpoint);
            }
        }

        return names;
    }

    /// <summary>
    /// CloudWatch's count of commits on the old cluster after T1, the evidence that nothing written after the fence is
    /// missing from the new cluster. RDS publishes per minute, often late: waited for with a deadline; with no datapoint
    /// after T1 the check is not measured (and Verify does not pass), never "0 commits".
    /// </summary>
    private static async Task<double?> CommitsAfterT1Async(RekeyRun run, DateTimeOffset? recordedT1, Checklist checks, CancellationToken cancellationToken)
    {
        const string What = "no commit on the old cluster after T1";
        var lookInstead = $"CloudWatch AWS/RDS CommitThroughput (Sum, 1 minute) with DBClusterIdentifier={run.OldClusterId} from T1 on, or the old cluster's own commit counters "
            + "(PostgreSQL: pg_stat_database.xact_commit; MySQL: SHOW GLOBAL STATUS LIKE 'Com_commit'), then run --target=Verify --exclusive again.";
        if (recordedT1 is not { } t1)
        {
            checks.NotMeasuredBecause(What, $"{run.OldClusterId} carries no T1 ({RekeyTags.T1}), so there is no moment to count commits from.", lookInstead);
            return null;
        }

        var deadline = BlueGreen.BlueGreenReads.Capped(run, BlueGreen.VerifyGreen.LagDataDeadline);
        IReadOnlyList<double> after;
        try
        {
            after = await run.Wait.UntilAsync(
                $"CloudWatch data for AWS/RDS CommitThroughput (DBClusterIdentifier={run.OldClusterId}) after T1",
                deadline,
                async token =>
                {
                    var now = await AwsClock.NowAsync(run, token).ConfigureAwait(false);
                    var points = await RdsMetricsReader.ReadAsync(
                        run.CloudWatch,
                        "CommitThroughput",
                        "DBClusterIdentifier",
                        run.OldClusterId,
                        "Sum",
                        MetricWindow.Between(t1, now, 60),
                        token).ConfigureAwait(false);
                    IReadOnlyList<double> values = [.. points.Where(p => p.Time >= t1.UtcDateTime).Select(p => p.Value)];
                    return values.Count > 0
                        ? Probe<IReadOnlyList<double>>.Ready(values, $"{values.Count} data point(s)")
                        : Probe<IReadOnlyList<double>>.NotYet(values, "no data point after T1 yet");
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (WaitTimeoutException)
        {
            checks.NotMeasuredBecause(
                What,
                $"CloudWatch has no AWS/RDS CommitThroughput data point for {run.OldClusterId} after T1 ({Tagging.Iso(t1)}; waited {Reporting.Durations.Text(deadline)}), "
                + "so nothing shows whether writes reached the old cluster after the fence.",
                lookInstead);
            return null;
        }

        var commits = after.Sum();
        checks.Check(
            commits == 0,
            $"{What} ({after.Count} minute(s) measured)",
            $"CloudWatch counts {commits} commits on {run.OldClusterId} after T1: writes went to the old cluster after the fence");
        return commits;
    }

    private static async Task CheckResolveAsync(RekeyRun run, IReadOnlyList<string> names, Checklist checks, CancellationToken cancellationToken)
    {
        var deadline = run.Wait.Settings.DnsDeadline;
        var answers = await EndpointNames.WaitUntilResolvedAsync(run.Dns, run.Wait, names, deadline, cancellationToken).ConfigureAwait(false);
        foreach (var name in names.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            checks.Check(answers[name].Exists, $"{name} resolves", $"{name} does not resolve after {deadline} of waiting; check its DNS record, then run Verify again");
        }
    }

    private static bool Same(IReadOnlyCollection<string>? a, IReadOnlyCollection<string>? b) =>
        (a ?? []).Order(StringComparer.Ordinal).SequenceEqual((b ?? []).Order(StringComparer.Ordinal), StringComparer.Ordinal);

    private static DateTimeOffset? Timestamp(string? text) =>
        DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var value) ? value : null;
}
