namespace Rekey.State;

/// <summary>
/// What the old cluster looked like before the fence, as later steps (and Rollback) need it once the
/// names have moved: identifiers, endpoint names, the writer, and the custom endpoints that were deleted.
/// </summary>
public sealed record SourceDefinition
{
    public required string ClusterId { get; init; }

    public required string ClusterEndpoint { get; init; }

    public required string ReaderEndpoint { get; init; }

    /// <summary>The writer instance's original identifier.</summary>
    public required string WriterId { get; init; }

    /// <summary>Original instance identifiers, with their endpoint addresses.</summary>
    public required IReadOnlyList<InstanceName> Instances { get; init; }

    public required IReadOnlyList<CustomEndpointDefinition> CustomEndpoints { get; init; }

    /// <summary>The Application Auto Scaling of the cluster's Aurora replicas (Blue/Green does not carry it); null when it has none.</summary>
    public ReplicaScaling? ReplicaScaling { get; init; }
}

/// <summary>The scalable target of <c>cluster:&lt;id&gt;</c> (rds:cluster:ReadReplicaCount) and its scaling policies.</summary>
public sealed record ReplicaScaling(int MinCapacity, int MaxCapacity, IReadOnlyList<ReplicaScalingPolicy> Policies);

/// <summary>A scaling policy as PutScalingPolicy takes it again.</summary>
public sealed record ReplicaScalingPolicy(
    string Name,
    string PolicyType,
    Rekey.Aws.ApplicationAutoScaling.Model.TargetTrackingScalingPolicyConfiguration? TargetTracking,
    Rekey.Aws.ApplicationAutoScaling.Model.StepScalingPolicyConfiguration? StepScaling);

public sealed record InstanceName(string Id, string Endpoint);

/// <summary>A custom endpoint as it must be created again: members by original instance identifier.</summary>
public sealed record CustomEndpointDefinition(
    string Name,
    string Endpoint,
    string EndpointType,
    IReadOnlyList<string> StaticMembers,
    IReadOnlyList<string> ExcludedMembers);
