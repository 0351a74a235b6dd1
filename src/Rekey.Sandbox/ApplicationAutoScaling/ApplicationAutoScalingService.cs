using System.Globalization;
using System.Text.Json.Nodes;
using Rekey.Sandbox.Core;
using Rekey.Sandbox.Protocols;
using Rekey.Sandbox.RDS;

namespace Rekey.Sandbox.ApplicationAutoScaling;

/// <summary>
/// Application Auto Scaling (JSON 1.1, <c>X-Amz-Target: AnyScaleFrontendService.*</c>, signing name
/// <c>application-autoscaling</c>) for Aurora replicas only (<c>rds</c>, <c>cluster:&lt;id&gt;</c>,
/// <c>rds:cluster:ReadReplicaCount</c>): RegisterScalableTarget, DescribeScalableTargets,
/// PutScalingPolicy, DescribeScalingPolicies. A target follows its cluster's resource across renames.
/// </summary>
public sealed class ApplicationAutoScalingService : JsonService
{
    public const string Dimension = "rds:cluster:ReadReplicaCount";

    // The model's ServiceNamespace enum: any other value fails the request's validation.
    private static readonly string[] Namespaces =
    [
        "ecs", "elasticmapreduce", "ec2", "appstream", "dynamodb", "rds", "sagemaker", "custom-resource",
        "comprehend", "lambda", "cassandra", "kafka", "elasticache", "neptune", "workspaces",
    ];

    private readonly ScalableTargets _state;
    private readonly RdsState _rds;

    public ApplicationAutoScalingService(SandboxRuntime runtime, ScalableTargets state, RdsState rds)
        : base(runtime)
    {
        _state = state;
        _rds = rds;
        Register("RegisterScalableTarget", mutating: true, RegisterScalableTarget);
        Register("DescribeScalableTargets", mutating: false, DescribeScalableTargets);
        Register("PutScalingPolicy", mutating: true, PutScalingPolicy);
        Register("DescribeScalingPolicies", mutating: false, DescribeScalingPolicies);
    }

    public override string SigningName => "application-autoscaling";

    protected override string TargetPrefix => "AnyScaleFrontendService";

    // Application Auto Scaling's error shapes name their member Message.
    protected override string ErrorMessageMember => "Message";

    /// <summary>The ResourceId a target answers to now: its cluster's current name.</summary>
    public string ResourceIdOf(ScalableTargetRecord target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return "cluster:" + (_rds.ClusterByResourceId(target.ClusterResourceId)?.Identifier ?? target.RegisteredIdentifier);
    }

    private static AwsServiceException Validation(string message) => new("ValidationException", message);

    private static string Required(JsonObject body, string member, string camel) =>
        body[member]?.GetValue<string>() is { Length: > 0 } value
            ? value
            : throw Validation($"1 validation error detected: Value null at '{camel}' failed to satisfy constraint: Member must not be null");

    private static string RdsNamespace(JsonObject body)
    {
        var name = Required(body, "ServiceNamespace", "serviceNamespace");
        if (!Namespaces.Contains(name, StringComparer.Ordinal))
        {
            throw Validation($"1 validation error detected: Value '{name}' at 'serviceNamespace' failed to satisfy constraint: Member must satisfy enum value set: [{string.Join(", ", Namespaces)}]");
        }

        return name == "rds" ? name : throw Validation($"The sandbox serves only the rds service namespace, not {name}.");
    }

    private static void CheckDimension(string? dimension)
    {
        if (dimension is not null && dimension != Dimension)
        {
            throw Validation($"Unsupported scalable dimension for service namespace rds: {dimension}");
        }
    }

    private ScalableTargetRecord? Find(AwsRequestContext request, string resourceId, string dimension) =>
        _state.Targets.FirstOrDefault(t => t.Account == request.Account && t.Region == request.Region
            && t.ScalableDimension == dimension && ResourceIdOf(t) == resourceId);

    private JsonNode RegisterScalableTarget(AwsRequestContext request, JsonObject body)
    {
        var ns = RdsNamespace(body);
        var resourceId = Required(body, "ResourceId", "resourceId");
        var dimension = Required(body, "ScalableDimension", "scalableDimension");
        CheckDimension(dimension);
        var min = body["MinCapacity"]?.GetValue<int>();
        var max = body["MaxCapacity"]?.GetValue<int>();
        var existing = Find(request, resourceId, dimension);
        if (existing is null)
        {
            if (!resourceId.StartsWith("cluster:", StringComparison.Ordinal)
                || _rds.FindCluster(request.Account, request.Region, resourceId["cluster:".Length..]) is not { } cluster)
            {
                throw Validation($"DB cluster not found: {resourceId}");
            }

            if (min is null || max is null)
            {
                throw Validation("MinCapacity and MaxCapacity are required for registering a new scalable target.");
            }

            CheckCapacity(min.Value, max.Value);
            existing = new ScalableTargetRecord
            {
                Account = request.Account,
                Region = request.Region,
                ServiceNamespace = ns,
                ScalableDimension = dimension,
                ClusterResourceId = cluster.ResourceId,
                RegisteredIdentifier = cluster.Identifier,
                Arn = $"arn:aws:application-autoscaling:{request.Region}:{request.Account}:scalable-target/{RandomText.LowerAlphanumeric(28)}",
                RoleArn = body["RoleARN"]?.GetValue<string>()
                    ?? $"arn:aws:iam::{request.Account}:role/aws-service-role/rds.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_RDSCluster",
                CreationTime = Runtime.Clock.Now,
                MinCapacity = min.Value,
                MaxCapacity = max.Value,
            };
            _state.Targets.Add(existing);
        }
        else
        {
            // Registering again updates only the members given.
            CheckCapacity(min ?? existing.MinCapacity, max ?? existing.MaxCapacity);
            existing.MinCapacity = min ?? existing.MinCapacity;
            existing.MaxCapacity = max ?? existing.MaxCapacity;
        }

        if (body["SuspendedState"] is JsonObject suspended)
        {
            existing.SuspendedState = (JsonObject)suspended.DeepClone();
        }

        return new JsonObject { ["ScalableTargetARN"] = existing.Arn };
    }

    private static void CheckCapacity(int min, int max)
    {
        // Aurora takes 0-15 replicas.
        if (min < 0 || max > 15)
        {
            throw Validation("Capacity for an Aurora DB cluster must be between 0 and 15 replicas.");
        }

        if (min > max)
        {
            throw Validation("Minimum capacity cannot be greater than maximum capacity");
        }
    }

    private JsonNode DescribeScalableTargets(AwsRequestContext request, JsonObject body)
    {
        RdsNamespace(body);
        var dimension = body["ScalableDimension"]?.GetValue<string>();
        CheckDimension(dimension);
        var ids = body["ResourceIds"]?.AsArray().Select(n => n!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
        var matches = _state.Targets.Where(t => t.Account == request.Account && t.Region == request.Region
            && (ids is null || ids.Count == 0 || ids.Contains(ResourceIdOf(t)))).ToList();
        var (page, next) = Page(matches, body);
        return new JsonObject
        {
            ["ScalableTargets"] = new JsonArray([.. page.Select(t => (JsonNode)new JsonObject
            {
                ["ServiceNamespace"] = t.ServiceNamespace,
                ["ResourceId"] = ResourceIdOf(t),
                ["ScalableDimension"] = t.ScalableDimension,
                ["MinCapacity"] = t.MinCapacity,
                ["MaxCapacity"] = t.MaxCapacity,
                ["RoleARN"] = t.RoleArn,
                ["CreationTime"] = t.CreationTime.ToUnixTimeMilliseconds() / 1000.0,
                ["SuspendedState"] = t.SuspendedState?.DeepClone() ?? new JsonObject
                {
                    ["DynamicScalingInSuspended"] = false,
                    ["DynamicScalingOutSuspended"] = false,
                    ["ScheduledScalingSuspended"] = false,
                },
                ["ScalableTargetARN"] = t.Arn,
            })]),
            ["NextToken"] = next,
        };
    }

    private JsonNode PutScalingPolicy(AwsRequestContext request, JsonObject body)
    {
        var name = Required(body, "PolicyName", "policyName");
        if (name.Length > 256)
        {
            throw Validation($"1 validation error detected: Value '{name}' at 'policyName' failed to satisfy constraint: Member must have length less than or equal to 256");
        }

        var ns = RdsNamespace(body);
        var resourceId = Required(body, "ResourceId", "resourceId");
        var dimension = Required(body, "ScalableDimension", "scalableDimension");
        CheckDimension(dimension);
        var target = Find(request, resourceId, dimension)
            ?? throw new AwsServiceException("ObjectNotFoundException", $"No scalable target registered for service namespace: {ns}, resource ID: {resourceId}, scalable dimension: {dimension}");
        var type = body["PolicyType"]?.GetValue<string>() ?? "StepScaling";
        var configuration = new JsonObject();
        switch (type)
        {
            case "TargetTrackingScaling":
                if (body["TargetTrackingScalingPolicyConfiguration"] is not JsonObject tracking || tracking["TargetValue"] is null)
                {
                    throw Validation("TargetTrackingScalingPolicyConfiguration with a TargetValue is required for a TargetTrackingScaling policy.");
                }

                configuration["TargetTrackingScalingPolicyConfiguration"] = tracking.DeepClone();
                break;
            case "StepScaling":
                if (body["StepScalingPolicyConfiguration"] is not JsonObject step)
                {
                    throw Validation("StepScalingPolicyConfiguration is required for a StepScaling policy.");
                }

                configuration["StepScalingPolicyConfiguration"] = step.DeepClone();
                break;
            default:
                throw Validation($"Unsupported policy type for service namespace rds: {type}");
        }

        var policy = target.Policies.FirstOrDefault(p => p.PolicyName == name);
        if (policy is null)
        {
            policy = new ScalingPolicyRecord
            {
                PolicyName = name,
                PolicyArn = $"arn:aws:autoscaling:{request.Region}:{request.Account}:scalingPolicy:{Guid.NewGuid()}:resource/rds/{resourceId}:policyName/{name}",
                CreationTime = Runtime.Clock.Now,
                PolicyType = type,
            };
            target.Policies.Add(policy);
        }

        policy.PolicyType = type;
        policy.Configuration = configuration;
        policy.Alarms = type == "TargetTrackingScaling"
            ? [Alarm(request, $"TargetTracking-{resourceId}-AlarmHigh-{Guid.NewGuid()}"), Alarm(request, $"TargetTracking-{resourceId}-AlarmLow-{Guid.NewGuid()}")]
            : [];
        return new JsonObject { ["PolicyARN"] = policy.PolicyArn, ["Alarms"] = policy.Alarms.DeepClone() };
    }

    private static JsonObject Alarm(AwsRequestContext request, string name) => new()
    {
        ["AlarmName"] = name,
        ["AlarmARN"] = $"arn:aws:cloudwatch:{request.Region}:{request.Account}:alarm:{name}",
    };

    private JsonNode DescribeScalingPolicies(AwsRequestContext request, JsonObject body)
    {
        RdsNamespace(body);
        var dimension = body["ScalableDimension"]?.GetValue<string>();
        CheckDimension(dimension);
        var resourceId = body["ResourceId"]?.GetValue<string>();
        var names = body["PolicyNames"]?.AsArray().Select(n => n!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
        var matches = _state.Targets
            .Where(t => t.Account == request.Account && t.Region == request.Region && (resourceId is null || ResourceIdOf(t) == resourceId))
            .SelectMany(t => t.Policies.Where(p => names is null || names.Count == 0 || names.Contains(p.PolicyName)).Select(p => (Target: t, Policy: p)))
            .ToList();
        var (page, next) = Page(matches, body);
        return new JsonObject
        {
            ["ScalingPolicies"] = new JsonArray([.. page.Select(m =>
            {
                var node = new JsonObject
                {
                    ["PolicyARN"] = m.Policy.PolicyArn,
                    ["PolicyName"] = m.Policy.PolicyName,
                    ["ServiceNamespace"] = m.Target.ServiceNamespace,
                    ["ResourceId"] = ResourceIdOf(m.Target),
                    ["ScalableDimension"] = m.Target.ScalableDimension,
                    ["PolicyType"] = m.Policy.PolicyType,
                };
                foreach (var (key, value) in m.Policy.Configuration)
                {
                    node[key] = value?.DeepClone();
                }

                node["Alarms"] = m.Policy.Alarms.DeepClone();
                node["CreationTime"] = m.Policy.CreationTime.ToUnixTimeMilliseconds() / 1000.0;
                return (JsonNode)node;
            })]),
            ["NextToken"] = next,
        };
    }

    /// <summary>MaxResults (1-50, default 50) items from the offset NextToken carries.</summary>
    private static (List<T> Page, string? Next) Page<T>(List<T> items, JsonObject body)
    {
        var max = body["MaxResults"]?.GetValue<int>() ?? 50;
        if (max is < 1 or > 50)
        {
            throw Validation($"1 validation error detected: Value '{max}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 50");
        }

        var start = 0;
        if (body["NextToken"]?.GetValue<string>() is { } token && !int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out start))
        {
            throw Validation("Invalid NextToken");
        }

        var page = items.Skip(start).Take(max).ToList();
        return (page, start + max < items.Count ? (start + max).ToString(CultureInfo.InvariantCulture) : null);
    }
}
