using System.Net;
using System.Xml.Linq;
using Rekey.Sandbox.Protocols;
using static Rekey.Sandbox.Protocols.QueryXml;

namespace Rekey.Sandbox.RDS;

/// <summary>RDS Proxy: proxies, and the clusters registered in their target groups.</summary>
public sealed partial class RdsService
{
    private void RegisterProxyOperations()
    {
        Register("CreateDBProxy", mutating: true, CreateDBProxy);
        Register("DeleteDBProxy", mutating: true, DeleteDBProxy);
        Register("DescribeDBProxies", mutating: false, DescribeDBProxies);
        Register("DescribeDBProxyTargets", mutating: false, DescribeDBProxyTargets);
        Register("RegisterDBProxyTargets", mutating: true, RegisterDBProxyTargets);
        Register("DeregisterDBProxyTargets", mutating: true, DeregisterDBProxyTargets);
    }

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
}
