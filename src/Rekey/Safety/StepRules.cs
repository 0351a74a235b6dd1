namespace Rekey.Safety;

/// <summary>What a step requires of the cluster's lock before each of its changes.</summary>
public enum LockRule
{
    /// <summary>The run must hold the lock; the guard takes it when nobody does (or when the tags name this run as the cutover's).</summary>
    Hold,

    /// <summary>No other run may hold it; the step does not take it (its changes do not touch the cluster: AWS Backup).</summary>
    NotHeldByAnother,
}

/// <summary>The state of the cluster a step's changes presuppose, checked from AWS before each change.</summary>
/// <param name="Description">What must hold, for the refusal ("the old cluster is fenced: T1 is recorded").</param>
/// <param name="Holds">Whether it holds in what AWS shows now.</param>
public sealed record ClusterExpectation(string Description, Func<ClusterStanding, bool> Holds)
{
    /// <summary>The cluster to migrate exists, under its name or the name a fence or a switchover gave it.</summary>
    public static ClusterExpectation SourceExists { get; } = new(
        "the cluster exists, under its own name or the name the cutover gave it",
        s => s.Carrier is not null);

    /// <summary>Restore-swap after the fence: T1 is recorded on the renamed old cluster.</summary>
    public static ClusterExpectation Fenced { get; } = new(
        "the old cluster is fenced: renamed, with T1 recorded",
        s => s.IsFenced);

    /// <summary>Restore-swap after the restore started: the new cluster is under the original name and the old one fenced.</summary>
    public static ClusterExpectation Restored { get; } = new(
        "the new cluster exists under the original name and the old one is fenced",
        s => s.Target is not null && s.IsFenced);

    /// <summary>A Blue/Green cutover's blue exists, before or after the switchover.</summary>
    public static ClusterExpectation BlueExists { get; } = new(
        "the blue cluster exists (under its name, or under the name the switchover gave it)",
        s => s.SwitchedBlue is not null || (s.AtOriginalName is not null && s.Target is null));

    /// <summary>Cleanup: the old cluster is still there, or its deletion finished what Cleanup had to do.</summary>
    public static ClusterExpectation CutoverFinished { get; } = new(
        "the cutover has finished: the new cluster holds the original name",
        s => s.AtOriginalName is not null);
}

/// <summary>
/// What one step may change and on which conditions: the AWS operations it may call that change something
/// ("RDS ModifyDBCluster"), the lock it needs, and the state of the cluster it expects. <see cref="ChangeGuard"/>
/// holds every change to them; an operation a step does not declare is refused.
/// </summary>
/// <param name="Step">The task's name.</param>
/// <param name="Changes">The changing operations, as "ServiceId Operation".</param>
/// <param name="Lock">What the lock must be.</param>
/// <param name="Expects">The cluster's state before each change.</param>
/// <param name="ChecksTargetKey">Whether a target key recorded on the cluster must be this run's (steps that act for a target key).</param>
/// <param name="MayDeleteOldCluster">Only Cleanup may delete the old cluster (invariant 1).</param>
public sealed record StepRules(
    string Step,
    IReadOnlySet<string> Changes,
    LockRule Lock,
    ClusterExpectation Expects,
    bool ChecksTargetKey,
    bool MayDeleteOldCluster = false)
{
    public static StepRules Of(string step, LockRule lockRule, ClusterExpectation expects, bool checksTargetKey, params IEnumerable<string>[] changes) =>
        new(step, new HashSet<string>(changes.SelectMany(c => c), StringComparer.Ordinal), lockRule, expects, checksTargetKey);

    /// <summary>RDS operations, named by the client's methods (<c>nameof(IAmazonRDS.ModifyDBClusterAsync)</c>) so a typo does not compile.</summary>
    public static IEnumerable<string> Rds(params string[] methods) => Named("RDS", methods);

    public static IEnumerable<string> Kms(params string[] methods) => Named("KMS", methods);

    public static IEnumerable<string> Backup(params string[] methods) => Named("Backup", methods);

    public static IEnumerable<string> AutoScaling(params string[] methods) => Named("Application Auto Scaling", methods);

    /// <summary>The RDS Data API (SQL through AWS's endpoint): ExecuteStatement changes what the statement changes.</summary>
    public static IEnumerable<string> RdsData(params string[] methods) => Named("RDS Data", methods);

    /// <summary>Tagging the cluster's resources: the lock, the phase and the records every step keeps in tags.</summary>
    public static IEnumerable<string> RdsTags { get; } = ["RDS AddTagsToResource", "RDS RemoveTagsFromResource"];

    /// <summary>
    /// The operations that only read, as "ServiceId Operation", which the step (and the guard's checks before its
    /// changes) may call. Not enforced at run time, a read refused would only hide what AWS shows; the step-footprint
    /// test fails on a read the step does not declare, and docs/steps.md lists them.
    /// </summary>
    public IReadOnlySet<string> Reads { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>A step that changes nothing: only its reads count (no change reaches the guard, so lock and expectation never apply).</summary>
    public static StepRules ReadOnly(string step, params IEnumerable<string>[] reads) =>
        Of(step, LockRule.NotHeldByAnother, ClusterExpectation.SourceExists, checksTargetKey: false).Reading(reads);

    /// <summary>Declares the step's reads, next to its changes.</summary>
    public StepRules Reading(params IEnumerable<string>[] reads) =>
        this with { Reads = new HashSet<string>(reads.SelectMany(r => r), StringComparer.Ordinal) };

    public static IEnumerable<string> CloudWatch(params string[] methods) => Named("CloudWatch", methods);

    /// <summary>The cluster, its instances and its endpoints, as ClusterReader and the guard's checks read them.</summary>
    public static IEnumerable<string> ClusterReads { get; } = ["RDS DescribeDBClusters", "RDS DescribeDBInstances", "RDS DescribeDBClusterEndpoints"];

    /// <summary>AWS's clock: AwsClock reads the Date of STS GetCallerIdentity's answer.</summary>
    public static IEnumerable<string> AwsClockRead { get; } = ["STS GetCallerIdentity"];

    /// <summary>The target key's ARN, which the guard compares with the key recorded on the cluster.</summary>
    public static IEnumerable<string> TargetKeyRead { get; } = ["KMS DescribeKey"];

    /// <summary>The run's Blue/Green deployment.</summary>
    public static IEnumerable<string> DeploymentRead { get; } = ["RDS DescribeBlueGreenDeployments"];

    public static IEnumerable<string> Sts(params string[] methods) => Named("STS", methods);

    public bool MayChange(string operation) => Changes.Contains(operation);

    public bool MayRead(string operation) => Reads.Contains(operation);

    private static IEnumerable<string> Named(string serviceId, string[] methods) =>
        methods.Select(m => $"{serviceId} {(m.EndsWith("Async", StringComparison.Ordinal) ? m[..^"Async".Length] : m)}");
}
