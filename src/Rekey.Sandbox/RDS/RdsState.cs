using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rekey.Sandbox.Core;
using Rekey.Sandbox.Dns;

namespace Rekey.Sandbox.RDS;

/// <summary>
/// Every RDS resource of every account and region, their timed transitions and the DNS names
/// they publish. Used under the runtime lock only (AWS calls, DNS queries, sandbox API).
/// </summary>
public sealed partial class RdsState(SandboxClock clock, SandboxOptions options, DnsZone zone, FaultInjector faults) : IStatefulComponent, IClockDriven
{
    private long _nextWriteSequence = 1;

    public string StateKey => "rds";

    public List<DbCluster> Clusters { get; private set; } = [];

    public List<DbInstance> Instances { get; private set; } = [];

    public List<ClusterEndpoint> Endpoints { get; private set; } = [];

    public List<ClusterSnapshot> Snapshots { get; private set; } = [];

    public List<RdsEvent> Events { get; private set; } = [];

    public List<EventSubscription> Subscriptions { get; private set; } = [];

    public List<GlobalCluster> GlobalClusters { get; private set; } = [];

    public List<DbProxy> Proxies { get; private set; } = [];

    public List<RdsIntegration> Integrations { get; private set; } = [];

    /// <summary>The custom parameter groups of both kinds (the default groups exist without being stored).</summary>
    public List<ParameterGroup> ParameterGroups { get; private set; } = [];

    public DateTimeOffset Now => clock.Now;

    public SandboxDurations Durations => options.Durations;

    /// <summary>How long a DNS change takes to be seen, slow-DNS faults included.</summary>
    public TimeSpan DnsDelay => options.Durations.DnsChange + faults.DnsDelay();

    // ---- Names, as AWS forms them -------------------------------------------------------

    /// <summary>The 12-character endpoint hash, fixed per account and region.</summary>
    public static string EndpointHash(string account, string region)
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes($"rds-endpoint:{account}:{region}"));
        var chars = new char[12];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = alphabet[digest[i] % alphabet.Length];
        }

        // AWS's hashes start with a letter.
        chars[0] = alphabet[digest[12] % 26];
        return new string(chars);
    }

    public static string ClusterEndpointName(string account, string region, string identifier) =>
        $"{identifier}.cluster-{EndpointHash(account, region)}.{region}.rds.amazonaws.com";

    public static string ReaderEndpointName(string account, string region, string identifier) =>
        $"{identifier}.cluster-ro-{EndpointHash(account, region)}.{region}.rds.amazonaws.com";

    public static string CustomEndpointName(string account, string region, string identifier) =>
        $"{identifier}.cluster-custom-{EndpointHash(account, region)}.{region}.rds.amazonaws.com";

    public static string InstanceEndpointName(string account, string region, string identifier) =>
        $"{identifier}.{EndpointHash(account, region)}.{region}.rds.amazonaws.com";

    public static string HostedZoneId(string region) => region switch
    {
        "us-east-1" => "Z2R2ITUGPM61AM",
        "us-west-2" => "Z1PVIF0B656C1W",
        "eu-west-1" => "Z29XKXDKYMONMX",
        "ap-northeast-1" => "Z24O6O9L7SGTNB",
        _ => "Z" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(region)))[..13],
    };

    public static string NewResourceId(string prefix) => prefix + RandomText.UpperAlphanumeric(26);

    /// <summary>
    /// The day Aurora began to encrypt every new cluster by default with an AWS owned key (RDS User
    /// Guide, "Encrypting Amazon Aurora resources"); before it, a cluster created without a key was unencrypted.
    /// </summary>
    public static readonly DateTimeOffset AwsOwnedKeyDefaultSince = new(2026, 2, 18, 0, 0, 0, TimeSpan.Zero);

    /// <summary>none | sse-rds | sse-kms, as botocore's RDS model defines StorageEncryptionType.</summary>
    public static string EncryptionType(bool storageEncrypted, string? kmsKeyId) =>
        !storageEncrypted ? "none" : kmsKeyId is null ? "sse-rds" : "sse-kms";

    public static string DefaultSecurityGroup(string account, string region) =>
        "sg-" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"sg:{account}:{region}")))[..17].ToLowerInvariant();

    // ---- Lookups --------------------------------------------------------------------------

    public DbCluster? FindCluster(string account, string region, string identifierOrArn)
    {
        var id = identifierOrArn.StartsWith("arn:", StringComparison.Ordinal) ? ArnIdentifier(identifierOrArn, "cluster", account, region) : identifierOrArn.ToLowerInvariant();
        return id is null ? null : Clusters.FirstOrDefault(c => c.Account == account && c.Region == region && c.Identifier == id);
    }

    public DbCluster? ClusterByResourceId(string resourceId) => Clusters.FirstOrDefault(c => c.ResourceId == resourceId);

    public DbInstance? FindInstance(string account, string region, string identifierOrArn)
    {
        var id = identifierOrArn.StartsWith("arn:", StringComparison.Ordinal) ? ArnIdentifier(identifierOrArn, "db", account, region) : identifierOrArn.ToLowerInvariant();
        return id is null ? null : Instances.FirstOrDefault(i => i.Account == account && i.Region == region && i.Identifier == id);
    }

    public DbInstance? InstanceByResourceId(string resourceId) => Instances.FirstOrDefault(i => i.ResourceId == resourceId);

    /// <summary>The zero-ETL integrations whose source is the cluster.</summary>
    public IEnumerable<RdsIntegration> IntegrationsOf(DbCluster cluster) => Integrations.Where(i => i.SourceClusterResourceId == cluster.ResourceId);

    public IEnumerable<DbInstance> InstancesOf(DbCluster cluster) => Instances.Where(i => i.ClusterResourceId == cluster.ResourceId);

    public DbInstance? WriterOf(DbCluster cluster) => cluster.WriterResourceId is { } writer ? InstanceByResourceId(writer) : null;

    public IEnumerable<ClusterEndpoint> CustomEndpointsOf(DbCluster cluster) => Endpoints.Where(e => e.ClusterResourceId == cluster.ResourceId);

    private static string? ArnIdentifier(string arn, string type, string account, string region)
    {
        // arn:aws:rds:<region>:<account>:<type>:<identifier>
        var parts = arn.Split(':');
        return parts.Length == 7 && parts[2] == "rds" && parts[3] == region && parts[4] == account && parts[5] == type ? parts[6] : null;
    }

    /// <summary>A later bound on what is restorable, from a real data plane (what its WAL archive holds); null for none.</summary>
    public Func<DbCluster, DateTimeOffset?>? RestorableLimit { get; set; }

    /// <summary>LatestRestorableTime: the clock minus the configured lag (and no later than the data plane's archive), never before the cluster existed.</summary>
    public DateTimeOffset? LatestRestorableTime(DbCluster cluster)
    {
        if (cluster.Status is "creating" or "failed")
        {
            return null;
        }

        var latest = Now - options.Durations.RestorableLag;
        if (RestorableLimit?.Invoke(cluster) is { } limit && limit < latest)
        {
            latest = limit;
        }

        return latest < cluster.CreateTime ? null : latest;
    }

    // ---- Writes and events ------------------------------------------------------------------

    public ClusterWrite AppendWrite(DbCluster cluster, string key, string value, string? connectionId)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var write = new ClusterWrite(_nextWriteSequence++, Now, key, value, connectionId);
        cluster.Writes.Add(write);
        return write;
    }

    public void AddEvent(RdsResource source, string sourceType, string arn, string message, params string[] categories)
    {
        ArgumentNullException.ThrowIfNull(source);
        AddEvent(source, sourceType, arn, message, Now, categories);
    }

    private void AddEvent(RdsResource source, string sourceType, string arn, string message, DateTimeOffset at, params string[] categories) =>
        Events.Add(new RdsEvent(source.Account, source.Region, source.Identifier, sourceType, message, categories, at, arn));

    // ---- DNS ---------------------------------------------------------------------------------

    public void PublishClusterNames(DbCluster cluster, DateTimeOffset from)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        Publish(ClusterEndpointName(cluster.Account, cluster.Region, cluster.Identifier), cluster.ResourceId, cluster.Region, from);
        Publish(ReaderEndpointName(cluster.Account, cluster.Region, cluster.Identifier), cluster.ResourceId, cluster.Region, from);
    }

    public void RetireClusterNames(DbCluster cluster, string identifier, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        RetireOwned(ClusterEndpointName(cluster.Account, cluster.Region, identifier), cluster.ResourceId, at);
        RetireOwned(ReaderEndpointName(cluster.Account, cluster.Region, identifier), cluster.ResourceId, at);
    }

    public void PublishInstanceName(DbInstance instance, DateTimeOffset from)
    {
        ArgumentNullException.ThrowIfNull(instance);
        Publish(InstanceEndpointName(instance.Account, instance.Region, instance.Identifier), instance.ResourceId, instance.Region, from);
    }

    public void RetireInstanceName(DbInstance instance, string identifier, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(instance);
        RetireOwned(InstanceEndpointName(instance.Account, instance.Region, identifier), instance.ResourceId, at);
    }

    public void PublishCustomEndpointName(ClusterEndpoint endpoint, DateTimeOffset from)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        Publish(CustomEndpointName(endpoint.Account, endpoint.Region, endpoint.Identifier), endpoint.ClusterResourceId, endpoint.Region, from);
    }

    public void RetireCustomEndpointName(ClusterEndpoint endpoint, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        RetireOwned(CustomEndpointName(endpoint.Account, endpoint.Region, endpoint.Identifier), endpoint.ClusterResourceId, at);
    }

    private void Publish(string name, string ownerResourceId, string region, DateTimeOffset from)
    {
        var address = DnsZone.LoopbackAddressFor(ownerResourceId);
        zone.Publish(new DnsEntry
        {
            Name = name,
            CanonicalName = $"ip-{address.Replace('.', '-')}.{region}.compute.internal",
            Address = address,
            Owner = ownerResourceId,
            VisibleFrom = from,
        });
    }

    private void RetireOwned(string name, string owner, DateTimeOffset at)
    {
        var normalized = name.ToLowerInvariant();
        zone.Retire(e => e.Name == normalized && e.Owner == owner, at);
    }

    // ---- Transitions ---------------------------------------------------------------------------

    public void AdvanceTo(DateTimeOffset now)
    {
        AdvanceBlueGreenDeployments(now);

        foreach (var integration in Integrations.Where(i => i.DueAt <= now).ToList())
        {
            integration.DueAt = null;
            if (integration.Status == "deleting")
            {
                Integrations.Remove(integration);
            }
            else if (integration.Status == "creating")
            {
                integration.Status = "active";
            }
        }

        while (true)
        {
            var due = AllResources()
                .Where(r => r.Pending is { Outcome: not PendingTransition.Hangs } p && p.DueAt <= now)
                .OrderBy(r => r.Pending!.DueAt)
                .FirstOrDefault();
            if (due is null)
            {
                return;
            }

            var transition = due.Pending!;
            due.Pending = null;
            switch (due)
            {
                case DbCluster cluster:
                    Complete(cluster, transition);
                    break;
                case DbInstance instance:
                    Complete(instance, transition);
                    break;
                case ClusterEndpoint endpoint:
                    Complete(endpoint, transition);
                    break;
                case ClusterSnapshot snapshot:
                    snapshot.Status = "available";
                    var message = transition.Action == "copy" ? "Finished copy of cluster snapshot" : "Manual cluster snapshot created";
                    AddEvent(snapshot, "db-cluster-snapshot", snapshot.Arn, message, transition.DueAt, "creation");
                    break;
            }
        }
    }

    private IEnumerable<RdsResource> AllResources() =>
        Clusters.Cast<RdsResource>().Concat(Instances).Concat(Endpoints).Concat(Snapshots);

    private void Complete(DbCluster cluster, PendingTransition transition)
    {
        switch (transition.Action)
        {
            case "create" or "restore" when transition.Outcome == PendingTransition.Fails:
                cluster.Status = "failed";
                AddEvent(cluster, "db-cluster", cluster.Arn, transition.Action == "restore" ? "Unable to restore DB cluster" : "Unable to create DB cluster", transition.DueAt, "failure");
                break;
            case "create" or "restore":
                cluster.Status = "available";
                PublishClusterNames(cluster, transition.DueAt);
                AddEvent(
                    cluster,
                    "db-cluster",
                    cluster.Arn,
                    transition.Action == "restore" ? "Restored from DB cluster to point in time" : "DB cluster created",
                    transition.DueAt,
                    transition.Action == "restore" ? "notification" : "creation");
                break;
            case "delete":
                Clusters.Remove(cluster);
                foreach (var endpoint in CustomEndpointsOf(cluster).ToList())
                {
                    Endpoints.Remove(endpoint);
                }

                AddEvent(cluster, "db-cluster", cluster.Arn, "DB cluster deleted", transition.DueAt, "deletion");
                break;
            default:
                cluster.Status = "available";
                break;
        }
    }

    private void Complete(DbInstance instance, PendingTransition transition)
    {
        var cluster = ClusterByResourceId(instance.ClusterResourceId);
        switch (transition.Action)
        {
            case "create" when transition.Outcome == PendingTransition.Fails:
                instance.Status = "failed";
                AddEvent(instance, "db-instance", instance.Arn, "DB instance failed to create", transition.DueAt, "failure");
                break;
            case "create":
                instance.Status = "available";
                if (cluster is not null && (cluster.WriterResourceId is null || InstanceByResourceId(cluster.WriterResourceId) is not { Status: not "failed" }))
                {
                    // The first instance that becomes available is the writer.
                    cluster.WriterResourceId = instance.ResourceId;
                }

                PublishInstanceName(instance, transition.DueAt);
                AddEvent(instance, "db-instance", instance.Arn, "DB instance created", transition.DueAt, "creation");
                break;
            case "delete":
                Instances.Remove(instance);
                AddEvent(instance, "db-instance", instance.Arn, "DB instance deleted", transition.DueAt, "deletion");
                break;
            case "reboot":
                // A reboot applies the parameter group changes that waited for it.
                instance.Status = "available";
                if (cluster is not null && cluster.WriterResourceId == instance.ResourceId)
                {
                    cluster.ReadOnlyUntilWriterReboot = false;
                }

                instance.ClusterParameterGroupStatus = "in-sync";
                instance.ParameterApplyStatus = "in-sync";
                break;
            default:
                instance.Status = "available";
                break;
        }
    }

    private void Complete(ClusterEndpoint endpoint, PendingTransition transition)
    {
        if (transition.Action == "delete")
        {
            Endpoints.Remove(endpoint);
            return;
        }

        endpoint.Status = "available";
        PublishCustomEndpointName(endpoint, transition.DueAt);
    }

    // ---- State file ------------------------------------------------------------------------------

    public JsonNode Save() => JsonSerializer.SerializeToNode(
        new Snapshot(Clusters, Instances, Endpoints, Snapshots, Events, Subscriptions, GlobalClusters, Proxies, _nextWriteSequence, Integrations, ParameterGroups, BlueGreenDeployments),
        SandboxJson.Options)!;

    public void Load(JsonNode state)
    {
        var loaded = state.Deserialize<Snapshot>(SandboxJson.Options) ?? throw new InvalidDataException("The RDS state is empty.");
        Clusters = loaded.Clusters;
        Instances = loaded.Instances;
        Endpoints = loaded.Endpoints;
        Snapshots = loaded.Snapshots;
        Events = loaded.Events;
        Subscriptions = loaded.Subscriptions;
        GlobalClusters = loaded.GlobalClusters;
        Proxies = loaded.Proxies;
        _nextWriteSequence = loaded.NextWriteSequence;
        Integrations = loaded.Integrations ?? [];
        ParameterGroups = loaded.ParameterGroups ?? [];
        BlueGreenDeployments = loaded.BlueGreenDeployments ?? [];
    }

    private sealed record Snapshot(
        List<DbCluster> Clusters,
        List<DbInstance> Instances,
        List<ClusterEndpoint> Endpoints,
        List<ClusterSnapshot> Snapshots,
        List<RdsEvent> Events,
        List<EventSubscription> Subscriptions,
        List<GlobalCluster> GlobalClusters,
        List<DbProxy> Proxies,
        long NextWriteSequence,
        List<RdsIntegration>? Integrations,
        List<ParameterGroup>? ParameterGroups,
        List<BlueGreenDeployment>? BlueGreenDeployments);
}
