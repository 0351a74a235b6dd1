using System.Text.Json;
using System.Text.Json.Nodes;
using Rekey.Sandbox.Core;

namespace Rekey.Sandbox.ApplicationAutoScaling;

/// <summary>
/// A registered scalable target of an Aurora cluster. It is bound to the cluster's resource
/// (<see cref="ClusterResourceId"/>), not its name: after a Blue/Green switchover it follows the old
/// blue, now <c>&lt;id&gt;-old1</c> (the hostile reading of "auto scaling policies not copied").
/// </summary>
public sealed class ScalableTargetRecord
{
    public required string Account { get; init; }

    public required string Region { get; init; }

    public required string ServiceNamespace { get; init; }

    public required string ScalableDimension { get; init; }

    public required string ClusterResourceId { get; init; }

    /// <summary>The cluster identifier at registration, used once the cluster is gone.</summary>
    public required string RegisteredIdentifier { get; init; }

    public required string Arn { get; init; }

    public required string RoleArn { get; init; }

    public required DateTimeOffset CreationTime { get; init; }

    public int MinCapacity { get; set; }

    public int MaxCapacity { get; set; }

    public JsonObject? SuspendedState { get; set; }

    public List<ScalingPolicyRecord> Policies { get; init; } = [];
}

public sealed class ScalingPolicyRecord
{
    public required string PolicyName { get; init; }

    public required string PolicyArn { get; init; }

    public required DateTimeOffset CreationTime { get; init; }

    public required string PolicyType { get; set; }

    /// <summary>The policy's configuration members as the request gave them (TargetTrackingScalingPolicyConfiguration, ...).</summary>
    public JsonObject Configuration { get; set; } = [];

    public JsonArray Alarms { get; set; } = [];
}

/// <summary>Application Auto Scaling's scalable targets and scaling policies, per account and region (persisted).</summary>
public sealed class ScalableTargets : IStatefulComponent
{
    public List<ScalableTargetRecord> Targets { get; private set; } = [];

    public string StateKey => "applicationAutoScaling";

    public JsonNode Save() => new JsonObject { ["targets"] = JsonSerializer.SerializeToNode(Targets, SandboxJson.Options) };

    public void Load(JsonNode state)
    {
        ArgumentNullException.ThrowIfNull(state);
        Targets = state["targets"]?.Deserialize<List<ScalableTargetRecord>>(SandboxJson.Options) ?? [];
    }
}
