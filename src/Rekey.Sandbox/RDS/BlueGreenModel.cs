namespace Rekey.Sandbox.RDS;

// A Blue/Green deployment as the sandbox keeps it (and saves it in the state file). Members are
// kept by resource id, so the renames of a switchover keep them attached, as in AWS.

/// <summary>One blue resource and its green copy (SwitchoverDetails).</summary>
public sealed class BlueGreenMember
{
    /// <summary>cluster or instance.</summary>
    public required string Kind { get; init; }

    public required string SourceResourceId { get; init; }

    public required string TargetResourceId { get; init; }

    /// <summary>The ARNs last seen, for when a member is gone (MISSING_SOURCE / MISSING_TARGET).</summary>
    public required string SourceArn { get; set; }

    public required string TargetArn { get; set; }

    public string Status { get; set; } = BlueGreenStatus.Provisioning;
}

/// <summary>One step of provisioning (Tasks), due at a sandbox time.</summary>
public sealed class BlueGreenTask
{
    public required string Name { get; init; }

    public string Status { get; set; } = "PENDING";

    public required DateTimeOffset StartsAt { get; init; }

    public required DateTimeOffset EndsAt { get; init; }
}

/// <summary>A statement that runs for a while on a cluster (a long write transaction or DDL): what the switchover guardrails look for.</summary>
public sealed record RunningStatement(string ConnectionId, string Kind, string Statement, DateTimeOffset StartedAt, DateTimeOffset EndsAt)
{
    public const string Write = "write";
    public const string Ddl = "ddl";
}

/// <summary>The status values of the API reference (BlueGreenDeployment.Status, SwitchoverDetail.Status).</summary>
public static class BlueGreenStatus
{
    public const string Provisioning = "PROVISIONING";
    public const string Available = "AVAILABLE";
    public const string SwitchoverInProgress = "SWITCHOVER_IN_PROGRESS";
    public const string SwitchoverCompleted = "SWITCHOVER_COMPLETED";
    public const string InvalidConfiguration = "INVALID_CONFIGURATION";
    public const string SwitchoverFailed = "SWITCHOVER_FAILED";
    public const string Deleting = "DELETING";
    public const string MissingSource = "MISSING_SOURCE";
    public const string MissingTarget = "MISSING_TARGET";
}

/// <summary>
/// The sandbox's Blue/Green timings (sandbox time). AWS publishes none of them but "typically
/// under a minute" for the switchover; see docs/sandbox.md for why each is what it is.
/// </summary>
public static class BlueGreenTimings
{
    /// <summary>Copying the data onto another key is a full copy: per 1,000 writes the cluster holds, on top of a full-copy restore.</summary>
    public static readonly TimeSpan CopyPerThousandWrites = TimeSpan.FromMinutes(1);

    /// <summary>How soon an ineligible source is found out (the deployment then is INVALID_CONFIGURATION).</summary>
    public static readonly TimeSpan EligibilityCheck = TimeSpan.FromMinutes(1);

    public static readonly TimeSpan ConfigureBackups = TimeSpan.FromMinutes(2);

    /// <summary>The guardrail checks at the start of a switchover (writes still flow).</summary>
    public static readonly TimeSpan Guardrails = TimeSpan.FromSeconds(5);

    /// <summary>Renaming both environments and repointing their endpoints, writes blocked.</summary>
    public static readonly TimeSpan Renames = TimeSpan.FromSeconds(20);

    /// <summary>Replica lag above which the guardrails cancel a switchover.</summary>
    public static readonly TimeSpan MaxLag = TimeSpan.FromSeconds(20);

    /// <summary>Lag with no writes, and how much each write per second (over the last minute) adds.</summary>
    public static readonly TimeSpan BaseLag = TimeSpan.FromSeconds(1);

    public static readonly TimeSpan LagPerWritePerSecond = TimeSpan.FromMilliseconds(500);

    public const int DefaultSwitchoverTimeout = 300;
}

public sealed class BlueGreenDeployment
{
    public required string Account { get; init; }

    public required string Region { get; init; }

    /// <summary>bgd- and 16 lowercase letters and digits.</summary>
    public required string Identifier { get; init; }

    public required string Name { get; init; }

    public string Arn => $"arn:aws:rds:{Region}:{Account}:deployment:{Identifier}";

    public required string SourceClusterResourceId { get; init; }

    public required string TargetClusterResourceId { get; init; }

    public List<BlueGreenMember> Members { get; init; } = [];

    public List<BlueGreenTask> Tasks { get; init; } = [];

    public string Status { get; set; } = BlueGreenStatus.Provisioning;

    public string? StatusDetails { get; set; }

    public DateTimeOffset CreateTime { get; init; }

    public DateTimeOffset? DeleteTime { get; set; }

    public List<RdsTag> Tags { get; init; } = [];

    /// <summary>Why the source cannot be used, found out after <see cref="BlueGreenTimings.EligibilityCheck"/>; null when it can.</summary>
    public string? Ineligibility { get; init; }

    /// <summary>How provisioning ends (<see cref="PendingTransition"/> outcomes: fault injection).</summary>
    public string ProvisioningOutcome { get; init; } = PendingTransition.Succeeds;

    /// <summary>The last blue write (sequence) green has applied.</summary>
    public long ReplicatedThrough { get; set; }

    /// <summary>Aurora PostgreSQL: DDL on blue broke logical replication (the deployment must be re-created).</summary>
    public string? ReplicationBrokenBy { get; set; }

    // ---- The switchover under way ----------------------------------------------------------------

    public DateTimeOffset? SwitchoverRequestedAt { get; set; }

    public int SwitchoverTimeout { get; set; } = BlueGreenTimings.DefaultSwitchoverTimeout;

    public string SwitchoverOutcome { get; set; } = PendingTransition.Succeeds;

    /// <summary>From when writes and new connections are refused on both sides (until the switchover completes or is rolled back); null before the guardrails pass.</summary>
    public DateTimeOffset? WritesBlockedFrom { get; set; }

    /// <summary>When the renames complete, if the switchover can finish within its timeout.</summary>
    public DateTimeOffset? SwitchoverCompletesAt { get; set; }

    public DateTimeOffset? SwitchoverCompletedAt { get; set; }

    /// <summary>When DELETING ends and the deployment is gone.</summary>
    public DateTimeOffset? DeletedAt { get; set; }

    public bool IsSwitchingOver => Status == BlueGreenStatus.SwitchoverInProgress;

    /// <summary>Green is a replica of blue: provisioning or provisioned and not yet switched over.</summary>
    public bool Replicates => Status is BlueGreenStatus.Provisioning or BlueGreenStatus.Available or BlueGreenStatus.SwitchoverInProgress or BlueGreenStatus.SwitchoverFailed;

    public bool WritesBlockedAt(DateTimeOffset now) => IsSwitchingOver && WritesBlockedFrom is { } from && now >= from;
}
