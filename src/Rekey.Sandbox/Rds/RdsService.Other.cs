using System.Net;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Rekey.Sandbox.Protocols;
using static Rekey.Sandbox.Protocols.QueryXml;

namespace Rekey.Sandbox.Rds;

public sealed partial class RdsService
{
    private void RegisterOtherOperations()
    {
        Register("AddTagsToResource", mutating: true, AddTagsToResource);
        Register("RemoveTagsFromResource", mutating: true, RemoveTagsFromResource);
        Register("ListTagsForResource", mutating: false, ListTagsForResource);
        Register("AddRoleToDBCluster", mutating: true, AddRoleToDBCluster);
        Register("RemoveRoleFromDBCluster", mutating: true, RemoveRoleFromDBCluster);
        Register("DescribeGlobalClusters", mutating: false, DescribeGlobalClusters);
        Register("DescribeEvents", mutating: false, DescribeEvents);
        Register("DescribeEventSubscriptions", mutating: false, DescribeEventSubscriptions);
        Register("CreateDBProxy", mutating: true, CreateDBProxy);
        Register("DeleteDBProxy", mutating: true, DeleteDBProxy);
        Register("DescribeDBProxies", mutating: false, DescribeDBProxies);
        Register("DescribeDBProxyTargets", mutating: false, DescribeDBProxyTargets);
        Register("RegisterDBProxyTargets", mutating: true, RegisterDBProxyTargets);
        Register("DeregisterDBProxyTargets", mutating: true, DeregisterDBProxyTargets);
        Register("CreateDBClusterSnapshot", mutating: true, CreateDBClusterSnapshot);
        Register("DescribeDBClusterSnapshots", mutating: false, DescribeDBClusterSnapshots);
        Register("ModifyDBClusterSnapshotAttribute", mutating: true, ModifyDBClusterSnapshotAttribute);
        Register("CopyDBClusterSnapshot", mutating: true, CopyDBClusterSnapshot);
    }

    // ---- Tags ---------------------------------------------------------------------------------

    private List<RdsTag> TagsOf(AwsRequestContext request, string arn)
    {
        var parts = arn.Split(':');
        if (parts.Length != 7 || parts[0] != "arn" || parts[2] != "rds" || parts[3] != request.Region || parts[4] != request.Account)
        {
            throw AwsServiceException.InvalidParameterValue($"The specified resource name {arn} does not match an RDS resource in this region.");
        }

        var identifier = parts[6];
        return parts[5] switch
        {
            "db-proxy" => (_state.Proxies.FirstOrDefault(x => x.Account == request.Account && x.Region == request.Region && x.ResourceId == identifier)
                ?? throw new AwsServiceException("DBProxyNotFoundFault", $"DB proxy {identifier} not found.", HttpStatusCode.NotFound)).Tags,
            "cluster" => (_state.FindCluster(request.Account, request.Region, identifier) ?? throw RdsErrors.ClusterNotFound(identifier)).Tags,
            "db" => (_state.FindInstance(request.Account, request.Region, identifier) ?? throw RdsErrors.InstanceNotFound(identifier)).Tags,
            "cluster-endpoint" => (_state.Endpoints.FirstOrDefault(e => e.Account == request.Account && e.Region == request.Region && e.Identifier == identifier)
                ?? throw new AwsServiceException("DBClusterEndpointNotFoundFault", $"The specified custom endpoint {identifier} doesn't exist.")).Tags,
            "cluster-snapshot" => (_state.Snapshots.FirstOrDefault(s => s.Account == request.Account && s.Region == request.Region && s.Identifier == identifier)
                ?? throw new AwsServiceException("DBSnapshotNotFound", $"DBClusterSnapshot {identifier} not found.", HttpStatusCode.NotFound)).Tags,
            "deployment" => (_state.BlueGreenDeployments.FirstOrDefault(d => d.Arn == arn) ?? throw DeploymentNotFound(identifier)).Tags,
            "cluster-pg" or "pg" => (_state.ParameterGroups.FirstOrDefault(g => g.Arn == arn)
                ?? throw new AwsServiceException("DBParameterGroupNotFound", $"Parameter group {identifier} not found.", HttpStatusCode.NotFound)).Tags,
            _ => throw AwsServiceException.InvalidParameterValue($"The sandbox does not tag RDS resources of type {parts[5]}."),
        };
    }

    private IEnumerable<XElement> AddTagsToResource(AwsRequestContext request, QueryParameters p)
    {
        var existing = TagsOf(request, p.Required("ResourceName"));
        var tags = ReadTags(p).ToList();
        if (tags.Count == 0)
        {
            throw AwsServiceException.MissingParameter("Tags");
        }

        foreach (var tag in tags)
        {
            existing.RemoveAll(t => t.Key == tag.Key);
            existing.Add(tag);
        }

        if (existing.Count > 50)
        {
            throw new AwsServiceException("TagQuotaExceeded", "A resource can have at most 50 tags.");
        }

        return [];
    }

    private IEnumerable<XElement> RemoveTagsFromResource(AwsRequestContext request, QueryParameters p)
    {
        var keys = p.List("TagKeys");
        TagsOf(request, p.Required("ResourceName")).RemoveAll(t => keys.Contains(t.Key));
        return [];
    }

    private IEnumerable<XElement> ListTagsForResource(AwsRequestContext request, QueryParameters p) =>
        [RdsXml.Tags(TagsOf(request, p.Required("ResourceName")))];

    // ---- IAM roles ----------------------------------------------------------------------------

    private IEnumerable<XElement> AddRoleToDBCluster(AwsRequestContext request, QueryParameters p)
    {
        var cluster = Cluster(request, p.Required("DBClusterIdentifier"));
        var roleArn = p.Required("RoleArn");
        if (!RoleArnPattern().IsMatch(roleArn))
        {
            throw AwsServiceException.InvalidParameterValue($"Invalid role ARN: {roleArn}");
        }

        if (cluster.Status != "available")
        {
            throw RdsErrors.InvalidClusterState($"DB cluster {cluster.Identifier} is not available (it is {cluster.Status}).");
        }

        if (cluster.Roles.Any(r => r.RoleArn == roleArn))
        {
            throw new AwsServiceException("DBClusterRoleAlreadyExists", $"Role ARN {roleArn} is already associated with DB Cluster {cluster.Identifier}.");
        }

        var feature = p.Get("FeatureName");
        if (feature is not null && cluster.Roles.Any(r => r.FeatureName == feature))
        {
            throw AwsServiceException.InvalidParameterValue($"The feature {feature} is already associated with another role on DB Cluster {cluster.Identifier}.");
        }

        if (cluster.Roles.Count >= 5)
        {
            throw new AwsServiceException("DBClusterRoleQuotaExceeded", "You can't associate more than 5 IAM roles with a DB cluster.");
        }

        cluster.Roles.Add(new ClusterRole(roleArn, feature, "ACTIVE"));
        return [];
    }

    private IEnumerable<XElement> RemoveRoleFromDBCluster(AwsRequestContext request, QueryParameters p)
    {
        var cluster = Cluster(request, p.Required("DBClusterIdentifier"));
        var roleArn = p.Required("RoleArn");
        var feature = p.Get("FeatureName");
        var role = cluster.Roles.FirstOrDefault(r => r.RoleArn == roleArn && (feature is null || r.FeatureName == feature))
            ?? throw new AwsServiceException("DBClusterRoleNotFound", $"Role ARN {roleArn} cannot be found for DB Cluster {cluster.Identifier}.", HttpStatusCode.NotFound);
        cluster.Roles.Remove(role);
        return [];
    }

    // ---- Global clusters, events, subscriptions ----------------------------------------------------

    private IEnumerable<XElement> DescribeGlobalClusters(AwsRequestContext request, QueryParameters p)
    {
        IEnumerable<GlobalCluster> globals = _state.GlobalClusters.Where(g => g.Account == request.Account);
        if (p.Get("GlobalClusterIdentifier") is { } identifier)
        {
            globals = [globals.FirstOrDefault(g => g.Identifier == identifier)
                ?? throw new AwsServiceException("GlobalClusterNotFoundFault", $"Global cluster {identifier} not found.", HttpStatusCode.NotFound)];
        }

        var (page, marker) = Paginate(p, globals.OrderBy(g => g.Identifier, StringComparer.Ordinal));
        return
        [
            List("GlobalClusters", "GlobalClusterMember", page, g => new object?[]
            {
                new XElement("GlobalClusterIdentifier", g.Identifier),
                new XElement("GlobalClusterResourceId", g.ResourceId),
                new XElement("GlobalClusterArn", g.Arn),
                new XElement("Status", "available"),
                new XElement("Engine", g.Engine),
                new XElement("EngineVersion", g.EngineVersion),
                new XElement("StorageEncrypted", Bool(g.StorageEncrypted)),
                new XElement("DeletionProtection", Bool(false)),
                List("GlobalClusterMembers", "GlobalClusterMember", g.MemberResourceIds.Select(_state.ClusterByResourceId).OfType<DbCluster>(), c => new object[]
                {
                    new XElement("DBClusterArn", c.Arn),
                    new XElement("Readers"),
                    new XElement("IsWriter", Bool(c.ResourceId == g.WriterResourceId)),
                }),
            }),
            .. marker is null ? [] : new[] { marker },
        ];
    }

    private IEnumerable<XElement> DescribeEvents(AwsRequestContext request, QueryParameters p)
    {
        var sourceIdentifier = p.Get("SourceIdentifier");
        var sourceType = p.Get("SourceType");
        if (sourceIdentifier is not null && sourceType is null)
        {
            throw AwsServiceException.InvalidParameterCombination("Cannot specify source identifier without source type");
        }

        var end = p.Time("EndTime") ?? Now;
        var start = p.Time("StartTime") ?? end.AddMinutes(-(p.Int("Duration") ?? 60));
        var categories = p.List("EventCategories");
        var events = _state.Events.Where(e =>
            e.Account == request.Account && e.Region == request.Region &&
            e.Date >= start && e.Date <= end &&
            (sourceType is null || e.SourceType == sourceType) &&
            (sourceIdentifier is null || e.SourceIdentifier == sourceIdentifier.ToLowerInvariant()) &&
            (categories.Count == 0 || e.EventCategories.Any(categories.Contains)));
        var (page, marker) = Paginate(p, events.OrderBy(e => e.Date));
        return
        [
            List("Events", "Event", page, e => new object[]
            {
                new XElement("SourceIdentifier", e.SourceIdentifier),
                new XElement("SourceType", e.SourceType),
                new XElement("Message", e.Message),
                List("EventCategories", "EventCategory", e.EventCategories, c => c),
                new XElement("Date", Timestamp(e.Date)),
                new XElement("SourceArn", e.SourceArn),
            }),
            .. marker is null ? [] : new[] { marker },
        ];
    }

    private IEnumerable<XElement> DescribeEventSubscriptions(AwsRequestContext request, QueryParameters p)
    {
        IEnumerable<EventSubscription> subscriptions = _state.Subscriptions.Where(s => s.Account == request.Account && s.Region == request.Region);
        if (p.Get("SubscriptionName") is { } name)
        {
            subscriptions = [subscriptions.FirstOrDefault(s => s.Name == name)
                ?? throw new AwsServiceException("SubscriptionNotFound", $"Event subscription {name} not found.", HttpStatusCode.NotFound)];
        }

        var (page, marker) = Paginate(p, subscriptions.OrderBy(s => s.Name, StringComparer.Ordinal));
        return
        [
            List("EventSubscriptionsList", "EventSubscription", page, s => new object?[]
            {
                new XElement("CustomerAwsId", s.Account),
                new XElement("CustSubscriptionId", s.Name),
                new XElement("SnsTopicArn", s.SnsTopicArn),
                new XElement("Status", "active"),
                new XElement("SubscriptionCreationTime", s.CreationTime.UtcDateTime.ToString("ddd MMM dd HH:mm:ss 'UTC' yyyy", System.Globalization.CultureInfo.InvariantCulture)),
                Optional("SourceType", s.SourceType),
                List("SourceIdsList", "SourceId", s.SourceIds, i => i),
                List("EventCategoriesList", "EventCategory", s.EventCategories, c => c),
                new XElement("Enabled", Bool(s.Enabled)),
                new XElement("EventSubscriptionArn", s.Arn),
            }),
            .. marker is null ? [] : new[] { marker },
        ];
    }

    // ---- RDS Proxy -------------------------------------------------------------------------------

    private DbProxy Proxy(AwsRequestContext request, string name) =>
        _state.Proxies.FirstOrDefault(x => x.Account == request.Account && x.Region == request.Region && x.Name == name)
        ?? throw new AwsServiceException("DBProxyNotFoundFault", $"DB proxy {name} not found.", HttpStatusCode.NotFound);

    private static List<string> TargetGroup(DbProxy proxy, string? name) =>
        proxy.TargetClusters.TryGetValue(name ?? "default", out var group)
            ? group
            : throw new AwsServiceException("DBProxyTargetGroupNotFoundFault", $"Target group {name} not found for DB proxy {proxy.Name}.", HttpStatusCode.NotFound);

    private IEnumerable<XElement> CreateDBProxy(AwsRequestContext request, QueryParameters p)
    {
        var name = ValidIdentifier("DBProxyName", p.Required("DBProxyName"));
        var engineFamily = p.Required("EngineFamily");
        if (engineFamily is not ("MYSQL" or "POSTGRESQL" or "SQLSERVER"))
        {
            throw AwsServiceException.InvalidParameterValue($"Invalid EngineFamily {engineFamily}: must be MYSQL, POSTGRESQL or SQLSERVER.");
        }

        var roleArn = p.Required("RoleArn");
        if (!RoleArnPattern().IsMatch(roleArn))
        {
            throw AwsServiceException.InvalidParameterValue($"Invalid role ARN: {roleArn}");
        }

        var subnets = p.List("VpcSubnetIds");
        if (subnets.Count < 2)
        {
            throw new AwsServiceException("InvalidSubnet", "A DB proxy needs subnets in at least two Availability Zones.");
        }

        var idleTimeout = p.Int("IdleClientTimeout") ?? 1800;
        if (idleTimeout is < 1 or > 28800)
        {
            throw AwsServiceException.InvalidParameterValue("IdleClientTimeout must be between 1 and 28800 seconds.");
        }

        if (_state.Proxies.Any(x => x.Account == request.Account && x.Region == request.Region && x.Name == name))
        {
            throw new AwsServiceException("DBProxyAlreadyExistsFault", $"DB proxy {name} already exists.");
        }

        var groups = p.List("VpcSecurityGroupIds");
        var proxy = new DbProxy
        {
            Account = request.Account,
            Region = request.Region,
            Name = name,
            ResourceId = "prx-" + Core.RandomText.LowerAlphanumeric(17),
            EngineFamily = engineFamily,
            RoleArn = roleArn,
            CreatedDate = Now,
            AvailableAt = Now + Durations.Modify,
            VpcSubnetIds = [.. subnets],
            VpcSecurityGroupIds = groups.Count > 0 ? [.. groups] : [RdsState.DefaultSecurityGroup(request.Account, request.Region)],
            RequireTLS = p.Bool("RequireTLS") ?? false,
            IdleClientTimeout = idleTimeout,
            DebugLogging = p.Bool("DebugLogging") ?? false,
            Auth = [.. p.Structures("Auth").Select(a => new ProxyAuth(
                a.Get("Description"), a.Get("UserName"), a.Get("AuthScheme") ?? "SECRETS", a.Get("SecretArn"), a.Get("IAMAuth") ?? "DISABLED", a.Get("ClientPasswordAuthType")))],
            Tags = [.. ReadTags(p)],
        };
        _state.Proxies.Add(proxy);
        return [ProxyXml(proxy, "DBProxy")];
    }

    private IEnumerable<XElement> DeleteDBProxy(AwsRequestContext request, QueryParameters p)
    {
        var proxy = Proxy(request, p.Required("DBProxyName"));
        if (proxy.StatusAt(Now) != "available")
        {
            throw new AwsServiceException("InvalidDBProxyStateFault", $"DB proxy {proxy.Name} is {proxy.StatusAt(Now)}.");
        }

        _state.Proxies.Remove(proxy);
        var deleted = ProxyXml(proxy, "DBProxy");
        deleted.Element("Status")!.Value = "deleting";
        return [deleted];
    }

    private IEnumerable<XElement> DescribeDBProxies(AwsRequestContext request, QueryParameters p)
    {
        IEnumerable<DbProxy> proxies = _state.Proxies.Where(x => x.Account == request.Account && x.Region == request.Region);
        if (p.Get("DBProxyName") is { } name)
        {
            proxies = [Proxy(request, name)];
        }

        var (page, marker) = Paginate(p, proxies.OrderBy(x => x.Name, StringComparer.Ordinal));
        return [new XElement("DBProxies", page.Select(x => ProxyXml(x, "member"))), .. marker is null ? [] : new[] { marker }];
    }

    private XElement ProxyXml(DbProxy x, string name) => new(
        name,
        new XElement("DBProxyName", x.Name),
        new XElement("DBProxyArn", x.Arn),
        new XElement("Status", x.StatusAt(Now)),
        new XElement("EngineFamily", x.EngineFamily),
        new XElement("VpcId", "vpc-" + RdsState.DefaultSecurityGroup(x.Account, x.Region)[3..]),
        List("VpcSecurityGroupIds", "member", x.VpcSecurityGroupIds, g => g),
        List("VpcSubnetIds", "member", x.VpcSubnetIds, s => s),
        List("Auth", "member", x.Auth, a => new object?[]
        {
            Optional("Description", a.Description),
            Optional("UserName", a.UserName),
            new XElement("AuthScheme", a.AuthScheme),
            Optional("SecretArn", a.SecretArn),
            new XElement("IAMAuth", a.IAMAuth),
            Optional("ClientPasswordAuthType", a.ClientPasswordAuthType),
        }),
        new XElement("RoleArn", x.RoleArn),
        new XElement("Endpoint", $"{x.Name}.proxy-{RdsState.EndpointHash(x.Account, x.Region)}.{x.Region}.rds.amazonaws.com"),
        new XElement("RequireTLS", Bool(x.RequireTLS)),
        new XElement("IdleClientTimeout", x.IdleClientTimeout),
        new XElement("DebugLogging", Bool(x.DebugLogging)),
        new XElement("CreatedDate", Timestamp(x.CreatedDate)),
        new XElement("UpdatedDate", Timestamp(x.CreatedDate)));

    private IEnumerable<XElement> ProxyTargets(DbProxy proxy, IEnumerable<string> clusterResourceIds)
    {
        foreach (var cluster in clusterResourceIds.Select(_state.ClusterByResourceId).OfType<DbCluster>())
        {
            yield return new XElement(
                "member",
                new XElement("TargetArn", cluster.Arn),
                new XElement("RdsResourceId", cluster.Identifier),
                new XElement("Port", cluster.Port),
                new XElement("Type", "TRACKED_CLUSTER"));
            foreach (var instance in _state.InstancesOf(cluster))
            {
                yield return new XElement(
                    "member",
                    new XElement("Endpoint", RdsState.InstanceEndpointName(instance.Account, instance.Region, instance.Identifier)),
                    new XElement("TrackedClusterId", cluster.Identifier),
                    new XElement("RdsResourceId", instance.Identifier),
                    new XElement("Port", cluster.Port),
                    new XElement("Type", "RDS_INSTANCE"),
                    new XElement("Role", instance.ResourceId == cluster.WriterResourceId ? "READ_WRITE" : "READ_ONLY"),
                    new XElement(
                        "TargetHealth",
                        new XElement("State", instance.Status == "available" ? "AVAILABLE" : "UNAVAILABLE"),
                        instance.Status == "available" ? null : new XElement("Reason", "CONNECTION_FAILED")));
            }
        }
    }

    private IEnumerable<XElement> DescribeDBProxyTargets(AwsRequestContext request, QueryParameters p)
    {
        var proxy = Proxy(request, p.Required("DBProxyName"));
        var group = TargetGroup(proxy, p.Get("TargetGroupName"));
        var (page, marker) = Paginate(p, ProxyTargets(proxy, group));
        return [new XElement("Targets", page), .. marker is null ? [] : new[] { marker }];
    }

    private IEnumerable<XElement> RegisterDBProxyTargets(AwsRequestContext request, QueryParameters p)
    {
        var proxy = Proxy(request, p.Required("DBProxyName"));
        var group = TargetGroup(proxy, p.Get("TargetGroupName"));
        if (proxy.StatusAt(Now) != "available")
        {
            throw new AwsServiceException("InvalidDBProxyStateFault", $"DB proxy {proxy.Name} is {proxy.StatusAt(Now)}.");
        }

        if (p.List("DBInstanceIdentifiers").Count > 0)
        {
            throw AwsServiceException.InvalidParameterCombination("Aurora DB instances are registered through their DB cluster: use DBClusterIdentifiers.");
        }

        var clusters = p.List("DBClusterIdentifiers").Select(id => Cluster(request, id)).ToList();
        if (clusters.Count != 1 || group.Count > 0)
        {
            throw clusters.Count == 1 && group.Contains(clusters[0].ResourceId)
                ? new AwsServiceException("DBProxyTargetAlreadyRegisteredFault", $"DB cluster {clusters[0].Identifier} is already registered with DB proxy {proxy.Name}.")
                : AwsServiceException.InvalidParameterValue("A target group holds exactly one DB cluster.");
        }

        group.Add(clusters[0].ResourceId);
        return [new XElement("DBProxyTargets", ProxyTargets(proxy, [clusters[0].ResourceId]))];
    }

    private IEnumerable<XElement> DeregisterDBProxyTargets(AwsRequestContext request, QueryParameters p)
    {
        var proxy = Proxy(request, p.Required("DBProxyName"));
        var group = TargetGroup(proxy, p.Get("TargetGroupName"));
        foreach (var identifier in p.List("DBClusterIdentifiers"))
        {
            var cluster = Cluster(request, identifier);
            if (!group.Remove(cluster.ResourceId))
            {
                throw new AwsServiceException("DBProxyTargetNotFoundFault", $"DB cluster {identifier} is not a target of DB proxy {proxy.Name}.", HttpStatusCode.NotFound);
            }
        }

        return [];
    }

    // ---- Snapshots -------------------------------------------------------------------------------

    private IEnumerable<XElement> CreateDBClusterSnapshot(AwsRequestContext request, QueryParameters p)
    {
        var identifier = ValidIdentifier("DBClusterSnapshotIdentifier", p.Required("DBClusterSnapshotIdentifier"));
        var cluster = Cluster(request, p.Required("DBClusterIdentifier"));
        if (cluster.Status != "available")
        {
            throw RdsErrors.InvalidClusterState($"DB cluster {cluster.Identifier} is not available (it is {cluster.Status}).");
        }

        return [RdsXml.Snapshot(TakeSnapshot(cluster, identifier, ReadTags(p)))];
    }

    /// <summary>
    /// Shares a manual snapshot with other accounts (AttributeName restore). A snapshot on the AWS managed key cannot be
    /// shared (RDS User Guide, "Sharing a DB cluster snapshot": "You can't share a snapshot that's encrypted using the
    /// default KMS key"), nor one on an AWS owned key, which no other account can use (the sandbox's reading, the same
    /// refusal); an encrypted snapshot cannot be made public.
    /// </summary>
    private IEnumerable<XElement> ModifyDBClusterSnapshotAttribute(AwsRequestContext request, QueryParameters p)
    {
        var identifier = p.Required("DBClusterSnapshotIdentifier");
        var snapshot = _state.Snapshots.FirstOrDefault(s => s.Account == request.Account && s.Region == request.Region && (s.Identifier == identifier.ToLowerInvariant() || s.Arn == identifier))
            ?? throw RdsErrors.SnapshotNotFound(identifier);
        if (p.Required("AttributeName") != "restore")
        {
            throw AwsServiceException.InvalidParameterValue("The attribute name must be restore.");
        }

        if (snapshot.Status != "available" || snapshot.SnapshotType != "manual")
        {
            throw new AwsServiceException("InvalidDBClusterSnapshotStateFault", $"DB cluster snapshot {snapshot.Identifier} must be an available manual snapshot to be shared.");
        }

        var add = p.List("ValuesToAdd");
        if (add.Count > 0 && snapshot.StorageEncrypted)
        {
            var key = snapshot.KmsKeyId is { } keyArn ? Runtime.Keys.Find(snapshot.Account, snapshot.Region, keyArn) : null;
            if (snapshot.KmsKeyId is null || key is { KeyManager: "AWS" })
            {
                var kind = snapshot.KmsKeyId is null ? "an AWS owned key" : "the default KMS key (aws/rds)";
                throw AwsServiceException.InvalidParameterValue($"DB cluster snapshot {snapshot.Identifier} is encrypted with {kind} and can't be shared; copy it with a customer managed key first.");
            }

            if (add.Contains("all"))
            {
                throw AwsServiceException.InvalidParameterValue("An encrypted DB cluster snapshot can't be made public.");
            }
        }

        snapshot.RestoreAccounts = [.. snapshot.RestoreAccounts.Concat(add).Except(p.List("ValuesToRemove")).Distinct()];
        return
        [
            new XElement(
                "DBClusterSnapshotAttributesResult",
                new XElement("DBClusterSnapshotIdentifier", snapshot.Identifier),
                List("DBClusterSnapshotAttributes", "DBClusterSnapshotAttribute", [snapshot], s => new object[]
                {
                    new XElement("AttributeName", "restore"),
                    List("AttributeValues", "AttributeValue", s.RestoreAccounts, v => v),
                })),
        ];
    }

    /// <summary>
    /// Copies an available cluster snapshot into the caller's account and Region (botocore's CopyDBClusterSnapshot):
    /// the source is the caller's own (identifier or ARN) or, by ARN, one another account shared with it (restore
    /// attribute). KmsKeyId re-encrypts an encrypted copy onto a key the caller may use through RDS; without it the copy
    /// keeps the source's key, AWS owned included. A shared encrypted source needs KmsKeyId and a source key whose policy
    /// lets the caller use it. An unencrypted source with KmsKeyId is an error ("If you copy an unencrypted DB cluster
    /// snapshot and specify a value for the KmsKeyId parameter, an error is returned"). A snapshot on aws/rds or an AWS
    /// owned key cannot be shared (ModifyDBClusterSnapshotAttribute), so no other account can copy it. Cross-Region
    /// copies are not modelled. A refusal changes nothing.
    /// </summary>
    private IEnumerable<XElement> CopyDBClusterSnapshot(AwsRequestContext request, QueryParameters p)
    {
        var sourceReference = p.Required("SourceDBClusterSnapshotIdentifier");
        var target = ValidIdentifier("TargetDBClusterSnapshotIdentifier", p.Required("TargetDBClusterSnapshotIdentifier"));
        var source = SourceSnapshot(request, sourceReference);
        if (source.Status != "available")
        {
            throw new AwsServiceException("InvalidDBClusterSnapshotStateFault", $"DB cluster snapshot {source.Identifier} is not available (it is {source.Status}).");
        }

        var shared = source.Account != request.Account;
        var keyReference = p.Get("KmsKeyId");
        RequireCopyableKeys(request, source, shared, keyReference);
        var keyArn = keyReference is null ? source.KmsKeyId : UsableKey(request, keyReference).Arn;
        if (_state.Snapshots.Any(s => s.Account == request.Account && s.Region == request.Region && s.Identifier == target))
        {
            throw RdsErrors.SnapshotAlreadyExists(target);
        }

        var copy = new ClusterSnapshot
        {
            Account = request.Account,
            Region = request.Region,
            Identifier = target,
            ResourceId = RdsState.NewResourceId("cluster-snapshot-"),
            Status = "copying",
            ClusterIdentifier = source.ClusterIdentifier,
            ClusterResourceId = source.ClusterResourceId,
            Engine = source.Engine,
            EngineVersion = source.EngineVersion,
            MasterUsername = source.MasterUsername,
            Port = source.Port,
            StorageEncrypted = source.StorageEncrypted,
            KmsKeyId = keyArn,
            ClusterCreateTime = source.ClusterCreateTime,
            CreateTime = Now,
            Writes = [.. source.Writes],
            Tags = [.. (p.Bool("CopyTags") == true && !shared ? source.Tags : []).Concat(ReadTags(p)).DistinctBy(t => t.Key)],
            Pending = new PendingTransition("copy", Now + Durations.Snapshot),
        };
        _state.Snapshots.Add(copy);
        return [RdsXml.Snapshot(copy)];
    }

    /// <summary>
    /// Refuses a copy whose keys do not allow it: an unencrypted source given a key, or a shared encrypted source
    /// without a key of the caller's or whose key the caller may not use through RDS.
    /// </summary>
    private void RequireCopyableKeys(AwsRequestContext request, ClusterSnapshot source, bool shared, string? keyReference)
    {
        if (!source.StorageEncrypted && keyReference is not null)
        {
            throw new AwsServiceException(
                "InvalidParameterCombination",
                $"DB cluster snapshot {source.Identifier} is not encrypted, so a copy of it cannot name a KMS key; restore it with a KmsKeyId to get an encrypted cluster.");
        }

        if (!shared || !source.StorageEncrypted)
        {
            return;
        }

        if (keyReference is null)
        {
            throw AwsServiceException.InvalidParameterValue(
                $"DB cluster snapshot {source.Arn} is encrypted and shared from account {source.Account}: give a KmsKeyId of your account for the copy.");
        }

        // RDS decrypts the source with its key on the caller's behalf: the key's policy must let the caller's account use it.
        var sourceKey = source.KmsKeyId is { } sourceKeyArn ? Runtime.Keys.Find(request.Account, source.Region, sourceKeyArn) : null;
        if (sourceKey is null || !sourceKey.IsUsableForEncryption || !MayUseThroughRds(request, sourceKey))
        {
            throw KeyNotAccessible(source.KmsKeyId ?? "an AWS owned key");
        }
    }

    /// <summary>
    /// The snapshot a copy reads: the caller's own by identifier or ARN, or another account's by ARN when it is shared
    /// with the caller. A snapshot that is not shared reads as missing, as AWS does not say whether another account's snapshot exists.
    /// </summary>
    private ClusterSnapshot SourceSnapshot(AwsRequestContext request, string reference)
    {
        if (!reference.StartsWith("arn:", StringComparison.Ordinal))
        {
            return _state.Snapshots.FirstOrDefault(s => s.Account == request.Account && s.Region == request.Region && s.Identifier == reference.ToLowerInvariant())
                ?? throw RdsErrors.SnapshotNotFound(reference);
        }

        var parts = reference.Split(':');
        if (parts.Length != 7 || parts[2] != "rds" || parts[5] != "cluster-snapshot")
        {
            throw AwsServiceException.InvalidParameterValue($"{reference} is not a DB cluster snapshot ARN.");
        }

        if (parts[3] != request.Region)
        {
            throw AwsServiceException.InvalidParameterValue($"The sandbox does not copy DB cluster snapshots across Regions ({parts[3]} to {request.Region}).");
        }

        var snapshot = _state.Snapshots.FirstOrDefault(s => s.Account == parts[4] && s.Region == parts[3] && s.Identifier == parts[6].ToLowerInvariant());
        var visible = snapshot is not null && (snapshot.Account == request.Account
            || snapshot.RestoreAccounts.Contains(request.Account) || (!snapshot.StorageEncrypted && snapshot.RestoreAccounts.Contains("all")));
        return visible ? snapshot! : throw RdsErrors.SnapshotNotFound(reference);
    }

    private IEnumerable<XElement> DescribeDBClusterSnapshots(AwsRequestContext request, QueryParameters p)
    {
        var filters = ReadFilters(p, "db-cluster-id", "db-cluster-snapshot-id", "snapshot-type", "engine");
        IEnumerable<ClusterSnapshot> snapshots = _state.Snapshots.Where(s => s.Account == request.Account && s.Region == request.Region);
        if (p.Get("DBClusterSnapshotIdentifier") is { } identifier)
        {
            snapshots = [snapshots.FirstOrDefault(s => s.Identifier == identifier.ToLowerInvariant() || s.Arn == identifier) ?? throw RdsErrors.SnapshotNotFound(identifier)];
        }

        if (p.Get("DBClusterIdentifier") is { } clusterIdentifier)
        {
            snapshots = snapshots.Where(s => s.ClusterIdentifier == clusterIdentifier.ToLowerInvariant());
        }

        if (p.Get("DbClusterResourceId") is { } resourceId)
        {
            snapshots = snapshots.Where(s => s.ClusterResourceId == resourceId);
        }

        if (p.Get("SnapshotType") is { } type)
        {
            snapshots = snapshots.Where(s => s.SnapshotType == type);
        }

        foreach (var (name, values) in filters)
        {
            snapshots = name switch
            {
                "db-cluster-id" => snapshots.Where(s => values.Contains(s.ClusterIdentifier)),
                "db-cluster-snapshot-id" => snapshots.Where(s => values.Contains(s.Identifier) || values.Contains(s.Arn)),
                "snapshot-type" => snapshots.Where(s => values.Contains(s.SnapshotType)),
                "engine" => snapshots.Where(s => values.Contains(s.Engine)),
                _ => snapshots.Where(_ => false),
            };
        }

        var (page, marker) = Paginate(p, snapshots.OrderBy(s => s.Identifier, StringComparer.Ordinal));
        return [new XElement("DBClusterSnapshots", page.Select(s => RdsXml.Snapshot(s))), .. marker is null ? [] : new[] { marker }];
    }

    [GeneratedRegex("^arn:aws:iam::[0-9]{12}:role/[\\w+=,.@/-]+$")]
    private static partial Regex RoleArnPattern();
}
