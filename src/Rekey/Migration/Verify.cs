using Microsoft.Extensions.Logging;
using Rekey.Clusters;
using Rekey.Dns;
using Rekey.Metrics;
using Rekey.Runtime;
using Rekey.State;

namespace Rekey.Migration;

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
        var checkedItems = new List<string>();
        var problems = new List<string>();

        // Every name the cutover promised, asked until it resolves: instance names may appear later than the cluster's.
        var names = new List<string>();

        Check(target.Endpoint == definition.ClusterEndpoint, $"cluster endpoint {definition.ClusterEndpoint}", $"the cluster endpoint is {target.Endpoint}, not {definition.ClusterEndpoint}");
        Check(target.ReaderEndpoint == definition.ReaderEndpoint, $"reader endpoint {definition.ReaderEndpoint}", $"the reader endpoint is {target.ReaderEndpoint}, not {definition.ReaderEndpoint}");
        Check(target.StorageEncrypted == true && target.KmsKeyId == state.TargetKeyArn, $"storage key {state.TargetKeyArn}", $"the storage key is {target.KmsKeyId}, not {state.TargetKeyArn}");

        var newInstances = await reader.InstancesOfAsync(run.ClusterId, cancellationToken).ConfigureAwait(false);
        Check(target.WriterId() == definition.WriterId, $"writer {definition.WriterId}", $"the writer is {target.WriterId()}, not {definition.WriterId}");

        foreach (var recorded in definition.Instances)
        {
            var instance = newInstances.FirstOrDefault(i => i.DBInstanceIdentifier == recorded.Id);
            if (instance is null)
            {
                problems.Add($"instance {recorded.Id} is missing from the new cluster");
                continue;
            }

            Check(instance.IsAvailable(), $"instance {recorded.Id} available", $"instance {recorded.Id} is {instance.DBInstanceStatus}");
            Check(instance.Endpoint?.Address == recorded.Endpoint, $"instance endpoint {recorded.Endpoint}", $"instance {recorded.Id}'s endpoint is {instance.Endpoint?.Address}, not {recorded.Endpoint}");
            var old = await reader.FindInstanceAsync(run.OldNameOf(recorded.Id), cancellationToken).ConfigureAwait(false);
            if (old is not null)
            {
                foreach (var (name, oldValue, newValue) in CarriedSettings.InstanceDifferences(old, instance))
                {
                    problems.Add($"instance {recorded.Id}: {name} is '{newValue}', the old instance had '{oldValue}'");
                }
            }

            names.Add(recorded.Endpoint);
        }

        names.Add(definition.ClusterEndpoint);
        names.Add(definition.ReaderEndpoint);

        var customEndpoints = await reader.CustomEndpointsOfAsync(run.ClusterId, cancellationToken).ConfigureAwait(false);
        foreach (var recorded in definition.CustomEndpoints)
        {
            var endpoint = customEndpoints.FirstOrDefault(e => e.DBClusterEndpointIdentifier == recorded.Name);
            Check(endpoint?.Endpoint == recorded.Endpoint, $"custom endpoint {recorded.Endpoint}", $"custom endpoint {recorded.Name} is {endpoint?.Endpoint ?? "missing"}, not {recorded.Endpoint}");
            if (endpoint is not null)
            {
                Check(
                    Same(endpoint.StaticMembers, recorded.StaticMembers) && Same(endpoint.ExcludedMembers, recorded.ExcludedMembers),
                    $"custom endpoint {recorded.Name} members",
                    $"custom endpoint {recorded.Name} has other members than before");
                names.Add(recorded.Endpoint);
            }
        }

        await CheckResolveAsync(run, names, checkedItems, problems, cancellationToken).ConfigureAwait(false);

        foreach (var (name, oldValue, newValue) in CarriedSettings.ClusterDifferences(source, target))
        {
            problems.Add($"cluster setting {name} is '{newValue}', the old cluster had '{oldValue}'");
        }

        checkedItems.Add($"{CarriedSettings.Cluster.Count(s => s.Verified)} cluster settings and {CarriedSettings.Instance.Count(s => s.Verified)} settings per instance");

        Terraform.TerraformChecks.AfterCutover(run, state.TargetKeyArn, checkedItems, problems);

        double? commitsAfterT1 = null;
        if (state.T1 is { } t1)
        {
            var now = await AwsClock.NowAsync(run, cancellationToken).ConfigureAwait(false);
            var points = await RdsMetricsReader.ReadAsync(run.CloudWatch, "CommitThroughput", "DBClusterIdentifier", run.OldClusterId, "Sum", MetricWindow.Between(t1, now, 60), cancellationToken)
                .ConfigureAwait(false);
            commitsAfterT1 = points.Where(p => p.Time >= t1.UtcDateTime).Sum(p => p.Value);
            Check(commitsAfterT1 == 0, "no commit on the old cluster after T1", $"CloudWatch counts {commitsAfterT1} commits on {run.OldClusterId} after T1: writes went to the old cluster after the fence");
        }

        var result = new VerifyResult
        {
            ClusterId = run.ClusterId,
            Checked = checkedItems,
            Problems = problems,
            FencedAt = state.FencedAt,
            T1 = state.T1,
            WriterAvailableAt = Timestamp(target.Tag(RekeyTags.WriterAvailableAt)),
            TargetKeyArn = state.TargetKeyArn,
            CommitsOnOldClusterAfterT1 = commitsAfterT1,
        };

        run.Log.LogInformation("Verify of {Cluster}: {Checked} checks, {Problems} problems", run.ClusterId, checkedItems.Count, problems.Count);
        return result;

        void Check(bool ok, string what, string problem)
        {
            if (ok)
            {
                checkedItems.Add(what);
            }
            else
            {
                problems.Add(problem);
            }
        }
    }

    private static async Task CheckResolveAsync(
        RekeyRun run, IReadOnlyList<string> names, List<string> checkedItems, List<string> problems, CancellationToken cancellationToken)
    {
        var deadline = run.Wait.Settings.DnsDeadline;
        var answers = await EndpointNames.WaitUntilResolvedAsync(run.Dns, run.Wait, names, deadline, cancellationToken).ConfigureAwait(false);
        foreach (var name in names.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            if (answers[name].Exists)
            {
                checkedItems.Add($"{name} resolves");
            }
            else
            {
                problems.Add($"{name} does not resolve after {deadline} of waiting; check its DNS record, then run Verify again");
            }
        }
    }

    private static bool Same(IReadOnlyCollection<string>? a, IReadOnlyCollection<string>? b) =>
        (a ?? []).Order(StringComparer.Ordinal).SequenceEqual((b ?? []).Order(StringComparer.Ordinal), StringComparer.Ordinal);

    private static DateTimeOffset? Timestamp(string? text) =>
        DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var value) ? value : null;
}
