using Microsoft.Extensions.Logging;
using Rekey.Aws.RDS.Model;
using Rekey.Clusters;
using Rekey.Migration;
using Rekey.Runtime;
using Rekey.State;

namespace Rekey.Checks;

/// <summary>What AWS showed when the run's verdict was made: read then, never remembered from earlier steps.</summary>
public sealed record FinalState
{
    public required string ClusterId { get; init; }

    /// <summary>The key this run was asked to move the cluster to.</summary>
    public required string ExpectedKeyArn { get; init; }

    /// <summary>The key AWS shows the cluster encrypted with; null when the cluster is gone or unencrypted.</summary>
    public string? KmsKeyArn { get; init; }

    public string? ClusterEndpoint { get; init; }

    public string? ReaderEndpoint { get; init; }

    public string? Status { get; init; }

    /// <summary>The run named by the lock tag on the cluster or on its old cluster; null when no run holds it.</summary>
    public string? LockHolder { get; init; }

    /// <summary>The cluster is on this run's key and no other run holds its lock.</summary>
    public bool OnExpectedKey => string.Equals(KmsKeyArn, ExpectedKeyArn, StringComparison.Ordinal);
}

/// <summary>
/// A target's final verdict, read from AWS at the end: the cluster under its name, its key ARN, its names and the lock
/// holder. Steps check against what the tags recorded; this compares with the key this run was given, so a run whose
/// key lost to another run's cannot report the other run's cutover as its own.
/// </summary>
public static class FinalRead
{
    public static async Task<FinalState> ReadAsync(RekeyRun run, string expectedKeyArn, CancellationToken cancellationToken) =>
        (await ReadWithClustersAsync(run, expectedKeyArn, cancellationToken).ConfigureAwait(false)).State;

    /// <summary>The verdict and the clusters it was read from (the cluster, the old cluster, the old blue), for checks of the same moment.</summary>
    public static async Task<(FinalState State, IReadOnlyDictionary<string, DBCluster> Clusters)> ReadWithClustersAsync(
        RekeyRun run, string expectedKeyArn, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var reader = new ClusterReader(run.Rds);
        // The cluster and every name its lock may be on (the old cluster's, the old blue's), with one call.
        string[] names = [.. new[] { run.ClusterId, run.OldClusterId, Strategies.BlueGreenDeployments.OldBlueId(run.ClusterId) }.Distinct(StringComparer.Ordinal)];
        var found = await reader.FindClustersAsync(names, cancellationToken).ConfigureAwait(false);
        var cluster = found.GetValueOrDefault(run.ClusterId);
        string? holder = null;
        foreach (var id in names)
        {
            var candidate = found.GetValueOrDefault(id);
            if (candidate?.Tag(RekeyTags.Lock) is { } lockHolder && (candidate.Tag(RekeyTags.OriginalId) ?? id) == run.ClusterId)
            {
                // Another run's lock outranks this run's own: it is the one that says the verdict may not stand.
                holder = holder is null || holder == run.RunId ? lockHolder : holder;
            }
        }

        var state = new FinalState
        {
            ClusterId = run.ClusterId,
            ExpectedKeyArn = expectedKeyArn,
            KmsKeyArn = cluster?.KmsKeyId,
            ClusterEndpoint = cluster?.Endpoint,
            ReaderEndpoint = cluster?.ReaderEndpoint,
            Status = cluster?.Status,
            LockHolder = holder,
        };
        run.Journal.RecordFinal(state);
        run.Log.LogInformation(
            "AWS shows {Cluster} ({Status}) on {Key}, at {Endpoint}; lock {Lock}",
            run.ClusterId, state.Status ?? "missing", state.KmsKeyArn ?? "no key", state.ClusterEndpoint ?? "no endpoint", state.LockHolder ?? "free");
        return (state, found);
    }

    /// <summary>What <paramref name="state"/> shows, as items: the cluster under its name, on this run's key, its lock not held by another run.</summary>
    public static Checklist Items(RekeyRun run, FinalState state)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(state);
        var read = new Checklist();
        if (state.Status is null)
        {
            read.Fail($"{state.ClusterId} exists", $"AWS shows no DB cluster named {state.ClusterId}.");
        }
        else
        {
            read.Check(
                state.OnExpectedKey,
                $"{state.ClusterId} ({state.Status}) is encrypted with this run's key {state.ExpectedKeyArn}",
                $"AWS shows {state.ClusterId} encrypted with {state.KmsKeyArn ?? "no key"}, not this run's key {state.ExpectedKeyArn}.");
        }

        read.Check(
            state.LockHolder is null || state.LockHolder == run.RunId,
            $"no other run holds the lock of {state.ClusterId} ({(state.LockHolder is null ? "free" : "held by this run")})",
            $"Run {state.LockHolder} holds the lock of {state.ClusterId} (tag {RekeyTags.Lock}): the cluster is that run's to change.");
        return read;
    }

    /// <summary>Throws (exit code 7) unless AWS shows the cluster on this run's key, under its name, with no other run holding its lock.</summary>
    public static void Require(RekeyRun run, FinalState state)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(state);
        var problems = new List<string>();
        if (state.Status is null)
        {
            problems.Add($"AWS shows no DB cluster named {state.ClusterId}.");
        }
        else if (!state.OnExpectedKey)
        {
            problems.Add($"AWS shows {state.ClusterId} encrypted with {state.KmsKeyArn ?? "no key"}, not this run's key {state.ExpectedKeyArn}.");
        }

        if (state.LockHolder is { } holder && holder != run.RunId)
        {
            problems.Add($"Run {holder} holds the lock of {state.ClusterId} (tag {RekeyTags.Lock}): the cluster is that run's to change.");
        }

        if (problems.Count > 0)
        {
            throw new VerificationFailedException(
                $"Run {run.RunId} cannot report {state.ClusterId} moved to {state.ExpectedKeyArn}: what AWS shows now differs. Nothing was undone. "
                + "Describe the cluster (aws rds describe-db-clusters) and the runs that act on it; if another run moved it to its key, that run's report is the one that counts.",
                problems);
        }
    }
}
