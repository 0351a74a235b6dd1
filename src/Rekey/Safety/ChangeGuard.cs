using Microsoft.Extensions.Logging;
using Rekey.Aws.Runtime;
using Rekey.Migration;
using Rekey.Runtime;
using Rekey.State;

namespace Rekey.Safety;

/// <summary>A change no step declared, or made outside any step: a defect in Rekey, stopped before it reached AWS.</summary>
public sealed class UnguardedChangeException : Exception
{
    public UnguardedChangeException()
    {
    }

    public UnguardedChangeException(string message)
        : base(message)
    {
    }

    public UnguardedChangeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The cluster is not in the state the step's change presupposes (someone else changed it, or the step runs out of order); nothing was changed.</summary>
public sealed class UnexpectedClusterStateException : Exception
{
    public UnexpectedClusterStateException()
    {
    }

    public UnexpectedClusterStateException(string message)
        : base(message)
    {
    }

    public UnexpectedClusterStateException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The step the run is in, set around each task by the host, so the guard knows whose rules apply.</summary>
public sealed class StepInProgress
{
    private readonly AsyncLocal<string?> _name = new();
    private string? _current;

    /// <summary>The step now running; null between steps.</summary>
    public string? Name => _name.Value ?? _current;

    public void Enter(string step) => _current = step;

    public void Leave() => _current = null;

    /// <summary>Runs <paramref name="step"/>'s logic with its rules in force for this flow only (tests, steps that run another's logic).</summary>
    public IDisposable As(string step)
    {
        var before = _name.Value;
        _name.Value = step;
        return new Restore(() => _name.Value = before);
    }

    private sealed class Restore(Action undo) : IDisposable
    {
        public void Dispose() => undo();
    }
}

/// <summary>
/// One guard for every change (DESIGN.md, invariant 6). Every client of a run asks it before each call that changes
/// AWS; it proves from AWS, right then, that the call belongs to the step in progress, that the cluster is in the state
/// that step expects, that a target key recorded on the cluster is this run's, and that this run holds the cluster's lock
/// (taking it when it is free). Any failure stops the call before it is sent, with exit code 3 or 4.
/// </summary>
public sealed class ChangeGuard(RekeyRun run, StepInProgress step) : IChangeGate, IReadObserver
{
    /// <summary>Where a read made outside any step (the host's own reads: the caller, the target key, the final re-read) is recorded.</summary>
    public const string OutsideAnyStep = "(outside any step)";

    // The guard's own lock writes: the lock is what it proves, so taking it cannot wait for the proof.
    private static readonly AsyncLocal<bool> s_admitting = new();
    private readonly List<GuardedChange> _admitted = [];
    private readonly HashSet<GuardedChange> _reads = [];

    /// <summary>Every change the guard let through in this run, in order (the step-footprint tests read it).</summary>
    public IReadOnlyList<GuardedChange> Admitted
    {
        get
        {
            lock (_admitted)
            {
                return [.. _admitted];
            }
        }
    }

    /// <summary>Every operation that reads, by the step that called it, once each (the step-footprint test compares them with the declared reads).</summary>
    public IReadOnlyList<GuardedChange> Reads
    {
        get
        {
            lock (_reads)
            {
                return [.. _reads];
            }
        }
    }

    public void BeforeRead(string serviceId, string operation)
    {
        lock (_reads)
        {
            _reads.Add(new GuardedChange(step.Name ?? OutsideAnyStep, $"{serviceId} {operation}"));
        }
    }

    /// <summary>Lets the calls inside <paramref name="write"/> through unchecked: only the lock's own write uses it.</summary>
    internal static async Task AdmitLockWriteAsync(Func<Task> write)
    {
        var before = s_admitting.Value;
        s_admitting.Value = true;
        try
        {
            await write().ConfigureAwait(false);
        }
        finally
        {
            s_admitting.Value = before;
        }
    }

    public async Task BeforeChangeAsync(AwsChange change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        var operation = change.ToString();
        if (s_admitting.Value)
        {
            Record(step.Name ?? "(lock)", operation);
            return;
        }

        var rules = StepRulesOf(step.Name, operation);
        if (!rules.MayChange(operation))
        {
            throw new UnguardedChangeException(
                $"{rules.Step} tried to call {operation}, which it does not declare; Rekey stopped the call before it reached AWS. This is a defect in Rekey: report it with this message.");
        }

        var standing = await ClusterStanding.ReadAsync(run, cancellationToken).ConfigureAwait(false);
        if (!rules.Expects.Holds(standing))
        {
            throw new UnexpectedClusterStateException(
                $"{rules.Step} refused {operation}: it expects {rules.Expects.Description}, but AWS shows: {standing.Describe()}. Nothing was changed. "
                + "Another run or a person may have changed the cluster; run Preflight to see where the cutover stands, then resume or roll back as it says.");
        }

        RefuseDeletingTheOldCluster(rules, change, standing);

        // Nothing is written before every check has passed: a held lock first, then the key, and only then is a free lock taken.
        RefuseLockOfAnotherRun(rules, operation, standing);
        if (rules.ChecksTargetKey && standing.RecordedTargetKey is { } recorded && run.Settings.KmsKey is { } given)
        {
            var own = await OwnKeyArnAsync(cancellationToken).ConfigureAwait(false);
            if (!string.Equals(recorded, own, StringComparison.Ordinal))
            {
                throw new TargetKeyMismatchException(RecordedTargetKey.Refusal(run, rules.Step, standing.RecordedRunId, recorded, own ?? given.Value));
            }
        }

        if (rules.Lock == LockRule.Hold && standing.LockHolder != run.RunId)
        {
            await TakeLockAsync(rules, operation, standing, cancellationToken).ConfigureAwait(false);
        }

        Record(rules.Step, operation);
    }

    /// <summary>
    /// For steps that judge a cutover for a target key without changing anything (VerifyGreen, Verify): refuses, before
    /// they judge, when the cutover recorded on the cluster is for another key than this run's, so no run reports success
    /// on a key that is not its own.
    /// </summary>
    public async Task EnsureRecordedKeyIsOwnAsync(string stepName, CancellationToken cancellationToken)
    {
        if (run.Settings.KmsKey is not { } given)
        {
            return;
        }

        var standing = await ClusterStanding.ReadAsync(run, cancellationToken).ConfigureAwait(false);
        if (standing.RecordedTargetKey is not { } recorded)
        {
            return;
        }

        var own = await OwnKeyArnAsync(cancellationToken).ConfigureAwait(false);
        if (!string.Equals(recorded, own, StringComparison.Ordinal))
        {
            throw new TargetKeyMismatchException(RecordedTargetKey.Refusal(run, stepName, standing.RecordedRunId, recorded, own ?? given.Value));
        }
    }

    private static StepRules StepRulesOf(string? name, string operation) =>
        name is null
            ? throw new UnguardedChangeException($"Rekey tried to call {operation} outside any step; it stopped the call before it reached AWS. "
                + "This is a defect in Rekey: report it with this message.")
            : StepCatalog.Find(name)
                ?? throw new UnguardedChangeException($"{name} tried to call {operation}, but {name} declares no changes; Rekey stopped the call before it reached AWS. "
                    + "This is a defect in Rekey: report it with this message.");

    private void RefuseDeletingTheOldCluster(StepRules rules, AwsChange change, ClusterStanding standing)
    {
        var deleted = change.Request switch
        {
            Aws.RDS.Model.DeleteDBClusterRequest delete => delete.DBClusterIdentifier,
            _ => null,
        };
        var old = standing.RenamedSource ?? standing.SwitchedBlue;
        if (deleted is not null && !rules.MayDeleteOldCluster && old is not null
            && string.Equals(deleted, old.DBClusterIdentifier, StringComparison.Ordinal))
        {
            throw new UnexpectedClusterStateException(
                $"{rules.Step} refused to delete {deleted}: it is the old cluster of {run.ClusterId}, which only Cleanup deletes, with a final snapshot, after the holding period. "
                    + "Nothing was changed.");
        }
    }

    private void RefuseLockOfAnotherRun(StepRules rules, string operation, ClusterStanding standing)
    {
        var holder = standing.LockHolder;

        // The run the tags name as the cutover's may take its lock back (see ClusterLock.AcquireAsync); any other holder refuses.
        var mayTakeBack = rules.Lock == LockRule.Hold && standing.RecordedRunId == run.RunId;
        if (holder is not null && holder != run.RunId && !mayTakeBack)
        {
            throw ClusterLock.Held(run.ClusterId, holder, $"{rules.Step} refused {operation}");
        }
    }

    /// <summary>This run's key ARN; null when <c>--kms-key</c> names no key that exists (which no recorded key can be).</summary>
    private async Task<string?> OwnKeyArnAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await run.TargetKeyArnAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private async Task TakeLockAsync(StepRules rules, string operation, ClusterStanding standing, CancellationToken cancellationToken)
    {
        if (standing.Carrier is not { } carrier)
        {
            // Cleanup's own deletion of the old cluster leaves nothing to carry the lock; any other step needs the cluster.
            if (rules.MayDeleteOldCluster)
            {
                return;
            }

            throw new UnexpectedClusterStateException($"{rules.Step} refused {operation}: no cluster of {run.ClusterId} is left to carry its lock ({standing.Describe()}). Nothing was changed.");
        }

        await ClusterLock.AcquireAsync(run, carrier, cancellationToken).ConfigureAwait(false);
        run.Log.LogDebug("{Step} took the lock on {Cluster} before {Operation}", rules.Step, carrier.DBClusterIdentifier, operation);
    }

    private void Record(string stepName, string operation)
    {
        lock (_admitted)
        {
            _admitted.Add(new GuardedChange(stepName, operation));
        }
    }
}

/// <summary>One change the guard let through.</summary>
public sealed record GuardedChange(string Step, string Operation);

/// <summary>The gate of a target that reads across clusters and changes nothing (Inventory): it refuses every change.</summary>
public sealed class ReadOnlyTarget(string target) : IChangeGate
{
    public Task BeforeChangeAsync(AwsChange change, CancellationToken cancellationToken) =>
        throw new UnguardedChangeException($"{target} changes nothing, yet tried to call {change}; Rekey stopped the call before it reached AWS. "
            + "This is a defect in Rekey: report it with this message.");
}
