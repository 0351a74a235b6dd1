using Amazon.Runtime;
using Microsoft.Extensions.Logging;
using Rekey.Aws.RDS.Model;
using Rekey.Aws.RDS;
using Rekey.Aws.Runtime;
using Rekey.Clusters;
using Rekey.Runtime;
using Rekey.Safety;
using Rekey.State;
using Rekey.Strategies;

namespace Rekey.BlueGreen;

/// <summary>
/// Blue/Green, before the switchover: takes the lock, records on blue what Blue/Green drops (custom endpoints, replica
/// auto scaling), and creates the deployment with the green cluster on the target key. It reads AWS first and does only
/// what is missing, so a rerun after a crash converges.
/// </summary>
public static class CreateBlueGreen
{
    public static StepRules Rules { get; } = StepRules.Of(
        "CreateBlueGreen", LockRule.Hold, ClusterExpectation.BlueExists, checksTargetKey: true,
        StepRules.RdsTags, StepRules.Rds(nameof(IAmazonRDS.CreateBlueGreenDeploymentAsync)))
        .Reading(StepRules.ClusterReads, StepRules.AwsClockRead, StepRules.TargetKeyRead, StepRules.DeploymentRead, StepRules.AutoScaling("DescribeScalableTargets", "DescribeScalingPolicies"));

    public static async Task<BlueGreenDeployment> RunAsync(RekeyRun run, string targetKeyArn, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var state = await BlueGreenState.ReadAsync(run, cancellationToken).ConfigureAwait(false);
        if (state.IsSwitchedOver)
        {
            return state.Deployment ?? throw new InvalidOperationException($"{run.ClusterId} was switched over but its Blue/Green deployment is gone; run Verify.");
        }

        var blue = state.AtOriginalName ?? throw new InvalidOperationException($"DB cluster {run.ClusterId} does not exist.");
        await ClusterLock.AcquireAsync(run, blue, cancellationToken).ConfigureAwait(false);
        if (!BlueGreenDeployments.IsBlueOf(blue, run.ClusterId))
        {
            await RecordAsync(run, blue, targetKeyArn, cancellationToken).ConfigureAwait(false);
        }

        if (state.Deployment is { } existing)
        {
            run.Log.LogInformation("Blue/Green deployment {Name} ({Id}) exists: {Status}", existing.BlueGreenDeploymentName, existing.BlueGreenDeploymentIdentifier, existing.Status);
            await RecordCreatedAtAsync(run, blue, existing, cancellationToken).ConfigureAwait(false);
            await RecordIdAsync(run, blue, existing, cancellationToken).ConfigureAwait(false);
            return existing;
        }

        var created = await CreateDeploymentAsync(run, blue, targetKeyArn, cancellationToken).ConfigureAwait(false);
        run.Journal.Add("CreateBlueGreen", $"Created Blue/Green deployment {created.BlueGreenDeploymentName} ({created.BlueGreenDeploymentIdentifier}) of {run.ClusterId}, green on {targetKeyArn}.");
        return created;
    }

    /// <summary>Asks AWS for the deployment, green on the target key, tagged as Rekey's; finds it when an earlier run's request got through.</summary>
    private static async Task<BlueGreenDeployment> CreateDeploymentAsync(RekeyRun run, DBCluster blue, string targetKeyArn, CancellationToken cancellationToken)
    {
        var name = BlueGreenDeployments.NameFor(run.ClusterId);
        BlueGreenDeployment created;
        try
        {
            var response = await run.Rds.CreateBlueGreenDeploymentAsync(
                new CreateBlueGreenDeploymentRequest
                {
                    BlueGreenDeploymentName = name,
                    Source = blue.DBClusterArn,
                    TargetDBClusterParameterGroupName = blue.DBClusterParameterGroup,
                    TargetResourceConfigurations = [new TargetResourceConfiguration { SourceArn = blue.DBClusterArn, TargetKmsKeyId = targetKeyArn }],
                    Tags =
                    [
                        new Tag { Key = BlueGreenDeployments.StrategyTag, Value = BlueGreenDeployments.StrategyValue },
                        new Tag { Key = RekeyTags.OriginalId, Value = run.ClusterId },
                        new Tag { Key = RekeyTags.RunId, Value = run.RunId },
                        new Tag { Key = RekeyTags.TargetKey, Value = targetKeyArn },

                        // The cluster's own tags too: a role scoped by the operator's tag may then switch over and delete it.
                        .. Migration.CarriedSettings.UserTags(blue.TagList),
                    ],
                },
                cancellationToken).ConfigureAwait(false);
            created = response.BlueGreenDeployment ?? throw new InvalidOperationException("CreateBlueGreenDeployment answered without a deployment.");
            run.Journal.Mark("bg-created", response.RequireServerDate());

            // One call for both: every tag write is a change, and the guard reads the cluster before each.
            await run.Rds.AddAsync(
                blue.DBClusterArn!,
                new Dictionary<string, string>
                {
                    [BlueGreenDeployments.CreatedAtTag] = Tagging.Iso(response.RequireServerDate()),
                    [BlueGreenDeployments.DeploymentTag] = created.BlueGreenDeploymentIdentifier!,
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonServiceException exception) when (exception.ErrorCode == "BlueGreenDeploymentAlreadyExistsFault")
        {
            // Ours, made by a run that crashed before it read the answer: the name and tags say so.
            created = await BlueGreenDeployments.FindAsync(run, null, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"A Blue/Green deployment named {name} exists and is not Rekey's for {run.ClusterId}; delete it or rename it.", exception);
            await RecordCreatedAtAsync(run, blue, created, cancellationToken).ConfigureAwait(false);
            await RecordIdAsync(run, blue, created, cancellationToken).ConfigureAwait(false);
        }

        return created;
    }

    private static async Task RecordAsync(RekeyRun run, DBCluster blue, string targetKeyArn, CancellationToken cancellationToken)
    {
        var reader = new ClusterReader(run.Rds);
        var instances = await reader.InstancesOfAsync(blue.DBClusterIdentifier!, cancellationToken).ConfigureAwait(false);
        var customEndpoints = await reader.CustomEndpointsOfAsync(blue.DBClusterIdentifier!, cancellationToken).ConfigureAwait(false);
        ReplicaScaling? scaling = null;
        try
        {
            scaling = await ReplicaAutoScaling.ReadAsync(run, run.ClusterId, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonServiceException exception) when (ReplicaAutoScaling.IsAccessDenied(exception))
        {
            // Preflight warned already; the cutover goes on without carrying the auto scaling.
            run.Log.LogWarning(
                "Cannot read the Application Auto Scaling of {Cluster} ({Code}: {Message}); grant {Permissions} to carry it through the switchover",
                run.ClusterId,
                exception.ErrorCode,
                exception.Message,
                ReplicaAutoScaling.DescribePermissions);
            run.Journal.Add(
                "CreateBlueGreen",
                $"Application Auto Scaling of {run.ClusterId} could not be read ({exception.ErrorCode}); it is not carried: grant {ReplicaAutoScaling.DescribePermissions}.");
        }

        var definition = new SourceDefinition
        {
            ClusterId = run.ClusterId,
            ClusterEndpoint = blue.Endpoint ?? string.Empty,
            ReaderEndpoint = blue.ReaderEndpoint ?? string.Empty,
            WriterId = blue.WriterId() ?? throw new InvalidOperationException($"DB cluster {run.ClusterId} has no writer instance."),
            Instances = instances.Select(i => new InstanceName(i.DBInstanceIdentifier!, i.Endpoint?.Address ?? string.Empty)).ToList(),
            CustomEndpoints = customEndpoints.Select(e => new CustomEndpointDefinition(
                e.DBClusterEndpointIdentifier!, e.Endpoint!, e.CustomEndpointType ?? "ANY", e.StaticMembers ?? [], e.ExcludedMembers ?? [])).ToList(),
            ReplicaScaling = scaling,
        };

        // Blue/Green does not carry custom endpoints (the hostile reading: AWS does not document it) nor replica auto
        // scaling (documented): record them to re-create after the switchover.
        var tags = new Dictionary<string, string>(TagChunks.Encode(RekeyTags.DefinitionChunk, definition), StringComparer.Ordinal)
        {
            [BlueGreenDeployments.StrategyTag] = BlueGreenDeployments.StrategyValue,
            [RekeyTags.OriginalId] = run.ClusterId,
            [RekeyTags.RunId] = run.RunId,
            [RekeyTags.TargetKey] = targetKeyArn,
            [RekeyTags.Phase] = BlueGreenDeployments.Creating,
        };
        await run.Rds.AddAsync(blue.DBClusterArn!, tags, cancellationToken).ConfigureAwait(false);
        run.Journal.Add(
            "CreateBlueGreen",
            $"Recorded {instances.Count} instances, {customEndpoints.Count} custom endpoints "
                + $"and {(scaling is null ? "no replica auto scaling" : ReplicaAutoScaling.Describe(scaling))} in tags of {run.ClusterId}.");
    }

    /// <summary>A run that crashed after CreateBlueGreenDeployment never tagged when: AWS's CreateTime of the deployment says it.</summary>
    private static async Task RecordCreatedAtAsync(RekeyRun run, DBCluster blue, BlueGreenDeployment deployment, CancellationToken cancellationToken)
    {
        if (blue.Tag(BlueGreenDeployments.CreatedAtTag) is null && deployment.CreateTime is { } createdAt)
        {
            await run.Rds.AddAsync(
                blue.DBClusterArn!,
                BlueGreenDeployments.CreatedAtTag,
                Tagging.Iso(new DateTimeOffset(DateTime.SpecifyKind(createdAt, DateTimeKind.Utc))),
                cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task RecordIdAsync(RekeyRun run, DBCluster blue, BlueGreenDeployment deployment, CancellationToken cancellationToken)
    {
        if (blue.Tag(BlueGreenDeployments.DeploymentTag) != deployment.BlueGreenDeploymentIdentifier)
        {
            await run.Rds.AddAsync(blue.DBClusterArn!, BlueGreenDeployments.DeploymentTag, deployment.BlueGreenDeploymentIdentifier!, cancellationToken).ConfigureAwait(false);
        }
    }
}
