namespace Rekey.Waiting;

/// <summary>How often Rekey looks again while it waits for AWS, and how long it waits before it gives up.</summary>
public sealed record WaitSettings
{
    /// <summary>The first pause between two looks; later pauses grow up to <see cref="MaxPollInterval"/>.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan MaxPollInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The pause between two looks while the writers are down, without backing off: each wait in the outage ends on
    /// average half of it after AWS finished, and that is Rekey's share of the outage.
    /// </summary>
    public TimeSpan OutagePollInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The longest pause of a wait that knows how long AWS takes (<see cref="Waiter.Expecting"/>): early in such a wait
    /// each pause is three quarters of the time left before the expected end, up to this; it bounds what an operation that ends far
    /// sooner than expected costs.
    /// </summary>
    public TimeSpan MaxSparsePollInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long before the expected end a wait looks densely (every <see cref="PollInterval"/>, during the outage every
    /// <see cref="OutagePollInterval"/>), as a share of the expected duration (at least two pauses): an operation that ends
    /// this much sooner than expected is seen as soon as usual. A dress rehearsal's figure is what the same cluster took.
    /// </summary>
    public double DenseBeforeExpectedEnd { get; init; } = 0.01;

    /// <summary>
    /// Outside the write outage, the shortest pause of a wait's dense phase as a share of its expected duration (at least
    /// <see cref="PollInterval"/>, at most <see cref="MaxPollInterval"/>): a fifty-minute green is then looked at every 15 s near its end
    /// rather than every 5 s.
    /// </summary>
    public double QuietDenseShare { get; init; } = 0.005;

    /// <summary>
    /// Outside the write outage, the longest early pause as a share of the expected duration, when that is longer than
    /// <see cref="MaxSparsePollInterval"/>, at most twice that: a fifty-minute green is looked at every 10 minutes early on.
    /// </summary>
    public double QuietSparseShare { get; init; } = 0.2;

    /// <summary>
    /// Outside the write outage, the pause past the expected end as a share of the time waited: such a wait ends on average
    /// 2.5 % after AWS finished, which delays the next step but not the applications' writes.
    /// </summary>
    public double QuietOverduePollShare { get; init; } = 0.05;

    /// <summary>
    /// Past the expected end the pause is this share of the time waited so far (at least <see cref="PollInterval"/>):
    /// a wait ends on average half a pause after AWS finished, so 2 % keeps Rekey's share at 1 % of AWS's time.
    /// </summary>
    public double OverduePollShare { get; init; } = 0.02;

    /// <summary>
    /// In the write outage (and the dress rehearsal, which waits as it does), past the expected end a pause is at most this
    /// share of the time overdue (at least the dense phase's pause), until it reaches <see cref="OverduePollShare"/> of the
    /// time waited: the pauses grow by half each look, so an operation that ends a few seconds after its expected end is
    /// seen within a dense pause or so, and one that runs far over costs a few more looks.
    /// </summary>
    public double OverduePauseGrowth { get; init; } = 0.5;

    /// <summary>AWS seconds per second of the waiter's clock: 1 against AWS, the sandbox's speed in a rehearsal (expected durations are divided by it).</summary>
    public double ClockSpeed { get; init; } = 1;

    /// <summary>A cluster or instance rename, until the new name is available.</summary>
    public TimeSpan RenameDeadline { get; init; } = TimeSpan.FromMinutes(20);

    /// <summary>Old endpoint names, until DNS no longer resolves them.</summary>
    public TimeSpan DnsDeadline { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>The source's LatestRestorableTime, until it reaches T1.</summary>
    public TimeSpan RestorableTimeDeadline { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>A point-in-time restore, until the new cluster is available.</summary>
    public TimeSpan RestoreDeadline { get; init; } = TimeSpan.FromHours(4);

    /// <summary>An instance creation, until the instance is available.</summary>
    public TimeSpan InstanceDeadline { get; init; } = TimeSpan.FromHours(2);

    /// <summary>An AWS Backup job (a backup or a copy of the cluster), until it ends.</summary>
    public TimeSpan BackupJobDeadline { get; init; } = TimeSpan.FromHours(8);

    /// <summary>A deletion, until the resource is gone.</summary>
    public TimeSpan DeleteDeadline { get; init; } = TimeSpan.FromHours(1);

    /// <summary>How long a freshly written lock is left before it is read back (see ClusterLock).</summary>
    public TimeSpan LockSettle { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a progress line may be silent while a wait goes on.</summary>
    public TimeSpan ProgressEvery { get; init; } = TimeSpan.FromMinutes(1);

    public static WaitSettings Fast { get; } = new()
    {
        PollInterval = TimeSpan.FromMilliseconds(50),
        MaxPollInterval = TimeSpan.FromMilliseconds(250),
        OutagePollInterval = TimeSpan.FromMilliseconds(50),
        ProgressEvery = TimeSpan.FromSeconds(5),
        LockSettle = TimeSpan.FromMilliseconds(200),
        MaxSparsePollInterval = TimeSpan.FromMilliseconds(250),
    };
}
