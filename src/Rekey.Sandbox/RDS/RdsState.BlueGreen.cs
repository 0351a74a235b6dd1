using System.Globalization;

namespace Rekey.Sandbox.RDS;

/// <summary>
/// Blue/Green deployments over time: provisioning task by task, replication from blue to green
/// with a lag that grows with blue's write rate, the switchover (guardrails, writes blocked on
/// both sides, renames and DNS, or a rollback at the timeout) and deletion. Applied lazily, like
/// every other transition, from the times stored on the deployment.
/// </summary>
public sealed partial class RdsState
{
    public List<BlueGreenDeployment> BlueGreenDeployments { get; private set; } = [];

    /// <summary>
    /// Asked when a switchover blocks writes and again when it would complete: for a deployment on the real engine the
    /// data plane stops writes on blue at the first question and answers whether green has applied all blue wrote
    /// (false holds the switchover, up to its timeout); null leaves it to the model's replica lag.
    /// </summary>
    public Func<BlueGreenDeployment, bool?>? GreenCaughtUp { get; set; }

    /// <summary>The deployment whose blue or green is the cluster; null when there is none.</summary>
    public BlueGreenDeployment? DeploymentOf(DbCluster cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        return BlueGreenDeployments.FirstOrDefault(d => d.SourceClusterResourceId == cluster.ResourceId || d.TargetClusterResourceId == cluster.ResourceId);
    }

    /// <summary>
    /// Replica lag of green behind blue now: <see cref="BlueGreenTimings.BaseLag"/> plus
    /// <see cref="BlueGreenTimings.LagPerWritePerSecond"/> for every write per second blue took over the last minute.
    /// </summary>
    public TimeSpan ReplicaLag(DbCluster blue, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(blue);
        var since = at - TimeSpan.FromMinutes(1);
        var recent = 0;
        for (var i = blue.Writes.Count - 1; i >= 0 && blue.Writes[i].Time > since; i--)
        {
            if (blue.Writes[i].Time <= at)
            {
                recent++;
            }
        }

        return BlueGreenTimings.BaseLag + (BlueGreenTimings.LagPerWritePerSecond * (recent / 60.0));
    }

    /// <summary>
    /// Why the cluster refuses a write (or, with <paramref name="write"/> false, a new connection)
    /// because of a Blue/Green deployment; null when it does not.
    /// </summary>
    public string? BlueGreenRefusal(DbCluster cluster, DateTimeOffset now, bool write)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        if (DeploymentOf(cluster) is { } deployment)
        {
            if (deployment.WritesBlockedAt(now))
            {
                return write
                    ? $"terminating connection: blue/green deployment {deployment.Identifier} is switching over"
                    : $"connection refused: blue/green deployment {deployment.Identifier} is switching over";
            }

            if (write && deployment.TargetClusterResourceId == cluster.ResourceId && deployment.Status != BlueGreenStatus.SwitchoverCompleted)
            {
                return "cannot execute INSERT in a read-only transaction (the green environment of a blue/green deployment is read only)";
            }
        }

        return write && cluster.ReadOnlyUntilWriterReboot ? "cannot execute INSERT in a read-only transaction" : null;
    }

    /// <summary>Starts a long write transaction or DDL on a cluster; Aurora PostgreSQL DDL on blue breaks logical replication to green.</summary>
    public RunningStatement StartStatement(DbCluster cluster, string connectionId, string kind, string statement, TimeSpan duration)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var running = new RunningStatement(connectionId, kind, statement, Now, Now + duration);
        cluster.RunningStatements.RemoveAll(s => s.EndsAt <= Now);
        cluster.RunningStatements.Add(running);
        if (kind == RunningStatement.Ddl && cluster.Engine == "aurora-postgresql" &&
            BlueGreenDeployments.FirstOrDefault(d => d.SourceClusterResourceId == cluster.ResourceId
                && d.Status is BlueGreenStatus.Provisioning or BlueGreenStatus.Available or BlueGreenStatus.SwitchoverFailed) is { } deployment)
        {
            // Logical replication does not carry DDL: the next change to the altered table cannot be applied on green.
            deployment.ReplicationBrokenBy = statement;
            deployment.Status = BlueGreenStatus.InvalidConfiguration;
            deployment.StatusDetails = $"Replication from the blue environment stopped: DDL on the blue DB cluster ({statement}) is not replicated by logical replication. "
                + "Delete the blue/green deployment and create it again.";
            AddBlueGreenEvent(deployment, "RDS-EVENT-0245", $"Replication in blue/green deployment {deployment.Name} failed because of DDL on the blue environment.", Now, "failure");
        }

        return running;
    }

    private void AdvanceBlueGreenDeployments(DateTimeOffset now)
    {
        foreach (var deployment in BlueGreenDeployments.ToList())
        {
            switch (deployment.Status)
            {
                case BlueGreenStatus.Provisioning:
                    AdvanceProvisioning(deployment, now);
                    break;
                case BlueGreenStatus.SwitchoverInProgress:
                    AdvanceSwitchover(deployment, now);
                    break;
                case BlueGreenStatus.Deleting when deployment.DeletedAt <= now:
                    BlueGreenDeployments.Remove(deployment);
                    AddBlueGreenEvent(deployment, "RDS-EVENT-0246", "Blue/green deployment deleted.", deployment.DeletedAt!.Value, "deletion");
                    break;
            }

            if (deployment.Replicates && deployment.ReplicationBrokenBy is null && deployment.Tasks.FirstOrDefault()?.Status == "COMPLETED" && !deployment.WritesBlockedAt(now))
            {
                Replicate(deployment, now, everything: false);
            }
        }
    }

    private void AdvanceProvisioning(BlueGreenDeployment deployment, DateTimeOffset now)
    {
        var green = ClusterByResourceId(deployment.TargetClusterResourceId);
        var failsAt = deployment.CreateTime + BlueGreenTimings.EligibilityCheck;
        if ((deployment.Ineligibility is not null || deployment.ProvisioningOutcome == PendingTransition.Fails) && now >= failsAt)
        {
            FailProvisioning(deployment, green, failsAt);
            return;
        }

        var stuck = deployment.Ineligibility is not null || deployment.ProvisioningOutcome != PendingTransition.Succeeds;
        foreach (var task in deployment.Tasks)
        {
            var completes = !stuck && now >= task.EndsAt;
            var wasCompleted = task.Status == "COMPLETED";
            task.Status = completes ? "COMPLETED" : now >= task.StartsAt ? "IN_PROGRESS" : "PENDING";
            if (completes && !wasCompleted && green is not null)
            {
                CompleteProvisioningTask(task, green);
            }
        }

        if (deployment.Tasks.All(t => t.Status == "COMPLETED"))
        {
            deployment.Status = BlueGreenStatus.Available;
            foreach (var member in deployment.Members)
            {
                member.Status = BlueGreenStatus.Available;
            }

            AddBlueGreenEvent(
                deployment,
                "RDS-EVENT-0244",
                "Blue/green deployment tasks completed. You can make more modifications to the green environment databases or switch over the deployment.",
                deployment.Tasks[^1].EndsAt,
                "creation");
        }
    }

    private void FailProvisioning(BlueGreenDeployment deployment, DbCluster? green, DateTimeOffset failsAt)
    {
        var reason = deployment.Ineligibility ?? "an internal error while the green environment was created";
        deployment.Tasks[0].Status = "FAILED";
        deployment.Status = BlueGreenStatus.InvalidConfiguration;
        deployment.StatusDetails = $"Creation of the green environment failed: {reason}.";
        if (green is not null)
        {
            green.Status = "failed";
            foreach (var instance in InstancesOf(green))
            {
                instance.Status = "failed";
            }
        }

        AddBlueGreenEvent(deployment, "RDS-EVENT-0245", $"Creation of blue/green deployment failed due to {reason}.", failsAt, "failure");
    }

    /// <summary>What a provisioning task makes available when it completes: the green cluster, then its instances.</summary>
    private void CompleteProvisioningTask(BlueGreenTask task, DbCluster green)
    {
        switch (task.Name)
        {
            case "CREATING_READ_REPLICA_OF_SOURCE":
                green.Status = "available";
                PublishClusterNames(green, task.EndsAt);
                break;
            case "CREATING_TOPOLOGY_OF_SOURCE":
                foreach (var instance in InstancesOf(green))
                {
                    instance.Status = "available";
                    PublishInstanceName(instance, task.EndsAt);
                }

                break;
        }
    }

    /// <summary>Applies blue's writes to green up to the lag (or all of them, when writes are blocked for the switchover).</summary>
    private void Replicate(BlueGreenDeployment deployment, DateTimeOffset now, bool everything)
    {
        var blue = ClusterByResourceId(deployment.SourceClusterResourceId);
        var green = ClusterByResourceId(deployment.TargetClusterResourceId);
        if (blue is null || green is null)
        {
            return;
        }

        var cutoff = everything ? DateTimeOffset.MaxValue : now - ReplicaLag(blue, now);
        var start = blue.Writes.FindIndex(w => w.Sequence > deployment.ReplicatedThrough);
        if (start < 0)
        {
            return;
        }

        for (var i = start; i < blue.Writes.Count && blue.Writes[i].Time <= cutoff; i++)
        {
            green.Writes.Add(blue.Writes[i]);
            deployment.ReplicatedThrough = blue.Writes[i].Sequence;
        }
    }

    private void AdvanceSwitchover(BlueGreenDeployment deployment, DateTimeOffset now)
    {
        var requested = deployment.SwitchoverRequestedAt!.Value;
        var deadline = requested + TimeSpan.FromSeconds(deployment.SwitchoverTimeout);
        var blue = ClusterByResourceId(deployment.SourceClusterResourceId);
        var green = ClusterByResourceId(deployment.TargetClusterResourceId);
        if (deployment.WritesBlockedFrom is null)
        {
            var check = requested + BlueGreenTimings.Guardrails;
            if (now < check)
            {
                return;
            }

            if (GuardrailProblem(deployment, blue, green, check) is { } problem)
            {
                deployment.Status = BlueGreenStatus.SwitchoverFailed;
                deployment.StatusDetails = $"Switchover was canceled: {problem}.";
                deployment.SwitchoverRequestedAt = null;
                SetMemberStatus(deployment, BlueGreenStatus.Available);
                AddBlueGreenEvent(deployment, "RDS-EVENT-0252", $"Switchover from {blue?.Identifier} to {green?.Identifier} was canceled due to {problem}.", check, "notification");
                return;
            }

            // Stop new writes on both sides, drop every connection and block new ones.
            deployment.WritesBlockedFrom = check;
            DropConnections(blue, green);
            _ = GreenCaughtUp?.Invoke(deployment);
            var completes = check + ReplicaLag(blue!, check) + BlueGreenTimings.Renames;
            deployment.SwitchoverCompletesAt = deployment.SwitchoverOutcome == PendingTransition.Succeeds && completes <= deadline ? completes : null;
        }

        if (deployment.SwitchoverCompletesAt is { } at && now >= at)
        {
            if (GreenCaughtUp?.Invoke(deployment) is not false)
            {
                CompleteSwitchover(deployment, blue!, green!, at);
                return;
            }

            // A real-engine green has not applied all blue wrote: the names move no earlier than it has, and never after the timeout.
            var next = now + TimeSpan.FromMilliseconds(1);
            deployment.SwitchoverCompletesAt = next < deadline ? next : null;
        }

        if (deployment.SwitchoverCompletesAt is null && now >= deadline)
        {
            // Every change is rolled back; neither environment changes.
            deployment.Status = BlueGreenStatus.SwitchoverFailed;
            deployment.StatusDetails = $"Switchover did not complete within the switchover timeout of {deployment.SwitchoverTimeout} seconds; all changes were rolled back.";
            deployment.WritesBlockedFrom = null;
            deployment.SwitchoverRequestedAt = null;
            SetMemberStatus(deployment, BlueGreenStatus.SwitchoverFailed);
            AddBlueGreenEvent(deployment, "RDS-EVENT-0249", "Switchover canceled on blue/green deployment.", deadline, "notification");
        }
    }

    private string? GuardrailProblem(BlueGreenDeployment deployment, DbCluster? blue, DbCluster? green, DateTimeOffset at)
    {
        if (blue is null || green is null)
        {
            return blue is null ? "the blue DB cluster no longer exists" : "the green DB cluster no longer exists";
        }

        if (blue.Status != "available" || green.Status != "available" || InstancesOf(blue).Concat(InstancesOf(green)).Any(i => i.Status != "available"))
        {
            return "a DB cluster or DB instance of the deployment is not available";
        }

        if (IntegrationsOf(blue).Any())
        {
            return "a zero-ETL integration uses the blue DB cluster (delete it before switchover and re-create it after)";
        }

        var running = blue.RunningStatements.Where(s => s.StartedAt <= at && s.EndsAt > at).ToList();
        if (running.Any(s => s.Kind == RunningStatement.Ddl))
        {
            return "DDL statements are running on the blue environment";
        }

        if (running.Any(s => s.Kind == RunningStatement.Write))
        {
            return "long-running write transactions are active on the blue environment";
        }

        var lag = ReplicaLag(blue, at);
        return lag > BlueGreenTimings.MaxLag
            ? string.Create(CultureInfo.InvariantCulture, $"replica lag of {lag.TotalSeconds:0.#} seconds is above {BlueGreenTimings.MaxLag.TotalSeconds:0} seconds")
            : null;
    }

    private void CompleteSwitchover(BlueGreenDeployment deployment, DbCluster blue, DbCluster green, DateTimeOffset at)
    {
        // Green has caught up: everything blue acknowledged is on green before the names move.
        Replicate(deployment, at, everything: true);
        var productionName = blue.Identifier;
        var oldName = OldName(blue.Account, blue.Region, productionName, id => FindCluster(blue.Account, blue.Region, id) is not null);
        RenameForSwitchover(blue, oldName, at);
        RenameForSwitchover(green, productionName, at);
        foreach (var member in deployment.Members.Where(m => m.Kind == "instance"))
        {
            if (InstanceByResourceId(member.SourceResourceId) is not { } blueInstance || InstanceByResourceId(member.TargetResourceId) is not { } greenInstance)
            {
                continue;
            }

            var instanceName = blueInstance.Identifier;
            RenameForSwitchover(blueInstance, OldName(blue.Account, blue.Region, instanceName, id => FindInstance(blue.Account, blue.Region, id) is not null), at);
            RenameForSwitchover(greenInstance, instanceName, at);
        }

        DropConnections(blue, green);
        blue.ReadOnlyUntilWriterReboot = true;
        deployment.Status = BlueGreenStatus.SwitchoverCompleted;
        deployment.StatusDetails = null;
        deployment.SwitchoverCompletedAt = at;
        SetMemberStatus(deployment, BlueGreenStatus.SwitchoverCompleted);
        RefreshMemberArns(deployment);
        Events.Add(new RdsEvent(
            green.Account,
            green.Region,
            green.Identifier,
            "db-cluster",
            $"Switchover from DB cluster {blue.Identifier} to {green.Identifier} completed. The green environment is now the production environment.",
            ["notification"],
            at,
            green.Arn,
            "RDS-EVENT-0251"));
        AddBlueGreenEvent(deployment, "RDS-EVENT-0248", "Switchover completed on blue/green deployment.", at, "notification");
    }

    /// <summary>The renames of a switchover: identifier, ARN and endpoint names at once (DNS included, within the outage).</summary>
    private void RenameForSwitchover(DbCluster cluster, string identifier, DateTimeOffset at)
    {
        RetireClusterNames(cluster, cluster.Identifier, at);
        cluster.Identifier = identifier;
        PublishClusterNames(cluster, at);
    }

    private void RenameForSwitchover(DbInstance instance, string identifier, DateTimeOffset at)
    {
        RetireInstanceName(instance, instance.Identifier, at);
        instance.Identifier = identifier;
        PublishInstanceName(instance, at);
    }

    /// <summary><c>-old1</c>, or the next free <c>-oldN</c>, within 63 characters.</summary>
    private static string OldName(string account, string region, string identifier, Func<string, bool> taken)
    {
        _ = account;
        _ = region;
        for (var n = 1; ; n++)
        {
            var suffix = "-old" + n.ToString(CultureInfo.InvariantCulture);
            var name = (identifier.Length + suffix.Length > 63 ? identifier[..(63 - suffix.Length)].TrimEnd('-') : identifier) + suffix;
            if (!taken(name))
            {
                return name;
            }
        }
    }

    private void DropConnections(DbCluster? blue, DbCluster? green)
    {
        foreach (var instance in new[] { blue, green }.OfType<DbCluster>().SelectMany(InstancesOf))
        {
            instance.Incarnation++;
        }
    }

    public void SetMemberStatus(BlueGreenDeployment deployment, string status)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        foreach (var member in deployment.Members)
        {
            member.Status = status;
        }
    }

    /// <summary>The members' ARNs follow their current names while they exist.</summary>
    public void RefreshMemberArns(BlueGreenDeployment deployment)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        foreach (var member in deployment.Members)
        {
            member.SourceArn = ArnOf(member.Kind, member.SourceResourceId) ?? member.SourceArn;
            member.TargetArn = ArnOf(member.Kind, member.TargetResourceId) ?? member.TargetArn;
        }
    }

    public string? ArnOf(string kind, string resourceId) =>
        kind == "cluster" ? ClusterByResourceId(resourceId)?.Arn : InstanceByResourceId(resourceId)?.Arn;

    public void AddBlueGreenEvent(BlueGreenDeployment deployment, string eventId, string message, DateTimeOffset at, string category)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        Events.Add(new RdsEvent(deployment.Account, deployment.Region, deployment.Identifier, "blue-green-deployment", message, [category], at, deployment.Arn, eventId));
    }
}
