using Rekey.Sandbox.Core;
using Rekey.Sandbox.Protocols;

namespace Rekey.Sandbox.RDS;

/// <summary>
/// What IAM evaluates for an RDS call, for the call record: the resources the request names by the ARN
/// types of the Service Authorization Reference (cluster, db, cluster-snapshot, cluster-endpoint, cluster-pg,
/// pg, subgrp, deployment), the KMS key it uses, the roles it hands to RDS, the resources a Blue/Green
/// deployment creates, switches over or deletes under names AWS invents, and the tags of the request.
/// </summary>
public sealed partial class RdsService
{
    private static readonly (string Member, string Type)[] NamingMembers =
    [
        ("DBClusterIdentifier", "cluster"),
        ("NewDBClusterIdentifier", "cluster"),
        ("SourceDBClusterIdentifier", "cluster"),
        ("DBInstanceIdentifier", "db"),
        ("NewDBInstanceIdentifier", "db"),
        ("DBClusterSnapshotIdentifier", "cluster-snapshot"),
        ("FinalDBSnapshotIdentifier", "cluster-snapshot"),
        ("DBClusterEndpointIdentifier", "cluster-endpoint"),
        ("DBClusterParameterGroupName", "cluster-pg"),
        ("SourceDBClusterParameterGroupIdentifier", "cluster-pg"),
        ("TargetDBClusterParameterGroupIdentifier", "cluster-pg"),
        ("TargetDBClusterParameterGroupName", "cluster-pg"),
        ("DBParameterGroupName", "pg"),
        ("TargetDBParameterGroupName", "pg"),
        ("DBSubnetGroupName", "subgrp"),
        ("BlueGreenDeploymentIdentifier", "deployment"),
        ("ResourceName", "arn"),
    ];

    /// <summary>The members that name the resource a Delete call deletes.</summary>
    private static readonly string[] DeletedMembers = ["DBClusterIdentifier", "DBInstanceIdentifier", "DBClusterEndpointIdentifier", "BlueGreenDeploymentIdentifier"];

    protected override void DescribeForIam(AwsRequestContext request, string action, QueryParameters parameters, bool afterHandler)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(parameters);
        var named = NamingMembers
            .Where(m => parameters.Get(m.Member) is { Length: > 0 })
            .Select(m => (m.Member, Arn: ArnOf(request, m.Type, parameters.Get(m.Member)!)))
            .Concat(parameters.Get("Source") is { Length: > 0 } source && action == "CreateBlueGreenDeployment" ? [("Source", source)] : []);
        if (afterHandler)
        {
            DescribeMade(request, action, parameters, named);
            return;
        }

        var iam = request.Authorization;
        foreach (var tag in parameters.Structures("Tags").Where(t => t.Get("Key") is not null))
        {
            iam.AddRequestTag(tag.Get("Key")!, tag.Get("Value") ?? string.Empty);
        }

        foreach (var (member, arn) in named)
        {
            if (TagsForIam(request, arn) is { } tags)
            {
                var use = action.StartsWith("Delete", StringComparison.Ordinal) && DeletedMembers.Contains(member) ? CallResourceUse.Deleted
                    : action.StartsWith("Modify", StringComparison.Ordinal) ? CallResourceUse.Changed
                    : CallResourceUse.Named;
                iam.Add(arn, use, tags);
            }
        }

        DescribeKeysRolesAndProxy(request, parameters);
        BlueGreenBefore(request, action, parameters);
    }

    /// <summary>The KMS keys the call names, the roles it hands to RDS and the proxy it names.</summary>
    private void DescribeKeysRolesAndProxy(AwsRequestContext request, QueryParameters parameters)
    {
        var iam = request.Authorization;
        foreach (var (member, value) in parameters.All.Where(p => p.Key.EndsWith("KmsKeyId", StringComparison.Ordinal) && p.Value.Length > 0))
        {
            if (Runtime.Keys.Find(request.Account, request.Region, value) is { } key)
            {
                iam.Add(key.Arn, CallResourceUse.Named, context: new Dictionary<string, IReadOnlyList<string>> { ["kms:ResourceAliases"] = key.Aliases });
            }
        }

        PassedRole(iam, parameters.Get("MonitoringRoleArn"), "monitoring.rds.amazonaws.com");
        PassedRole(iam, parameters.Get("RoleArn"), "rds.amazonaws.com");
        if (parameters.Get("DBProxyName") is { } proxyName
            && _state.Proxies.FirstOrDefault(x => x.Account == request.Account && x.Region == request.Region && x.Name == proxyName) is { } proxy)
        {
            iam.Add(proxy.Arn, CallResourceUse.Named, Pairs(proxy.Tags));
        }
    }

    /// <summary>
    /// After the handler: what the call made (a restore's cluster, a new instance, a snapshot, a copy, a Blue/Green deployment
    /// and its green resources), and a name that exists neither before nor after (a refused creation) with no tags, as IAM
    /// still evaluates it.
    /// </summary>
    private void DescribeMade(AwsRequestContext request, string action, QueryParameters parameters, IEnumerable<(string Member, string Arn)> named)
    {
        var iam = request.Authorization;
        foreach (var (_, arn) in named)
        {
            if (iam.Resources.Any(r => r.Arn == arn))
            {
                continue;
            }

            var tags = TagsForIam(request, arn);
            var use = tags is null ? CallResourceUse.Named
                : action.StartsWith("Modify", StringComparison.Ordinal) ? CallResourceUse.Changed
                : CallResourceUse.Created;
            iam.Add(arn, use, tags);
        }

        if (action == "CreateBlueGreenDeployment"
            && _state.BlueGreenDeployments.LastOrDefault(d => d.Account == request.Account && d.Region == request.Region && d.Name == parameters.Get("BlueGreenDeploymentName")) is { } created)
        {
            iam.Add(created.Arn, CallResourceUse.Created, Pairs(created.Tags));
            foreach (var member in created.Members)
            {
                iam.Add(member.TargetArn, CallResourceUse.CreatedByService, TagsForIam(request, member.TargetArn));
            }
        }
    }

    /// <summary>A switchover changes both sides; deleting a deployment with DeleteTarget before its switchover deletes green.</summary>
    private void BlueGreenBefore(AwsRequestContext request, string action, QueryParameters parameters)
    {
        if (action is not ("SwitchoverBlueGreenDeployment" or "DeleteBlueGreenDeployment")
            || _state.BlueGreenDeployments.FirstOrDefault(d =>
                d.Account == request.Account && d.Region == request.Region && d.Identifier == parameters.Get("BlueGreenDeploymentIdentifier")) is not { } deployment)
        {
            return;
        }

        foreach (var member in deployment.Members)
        {
            if (action == "SwitchoverBlueGreenDeployment")
            {
                request.Authorization.Add(member.SourceArn, CallResourceUse.Changed, TagsForIam(request, member.SourceArn));
                request.Authorization.Add(member.TargetArn, CallResourceUse.Changed, TagsForIam(request, member.TargetArn));
            }
            else if ((parameters.Bool("DeleteTarget") ?? false) && deployment.Status != BlueGreenStatus.SwitchoverCompleted && TagsForIam(request, member.TargetArn) is { } tags)
            {
                request.Authorization.Add(member.TargetArn, CallResourceUse.Deleted, tags);
            }
        }
    }

    private static void PassedRole(CallAuthorization iam, string? roleArn, string service)
    {
        if (roleArn is { Length: > 0 })
        {
            iam.Add(roleArn, CallResourceUse.Passed, context: new Dictionary<string, IReadOnlyList<string>> { ["iam:PassedToService"] = [service] });
        }
    }

    private static string ArnOf(AwsRequestContext request, string type, string value) =>
        value.StartsWith("arn:", StringComparison.Ordinal) ? value : $"arn:aws:rds:{request.Region}:{request.Account}:{type}:{value.ToLowerInvariant()}";

    /// <summary>The resource's tags now; empty for a subnet group (the sandbox keeps none); null when it does not exist.</summary>
    private IEnumerable<KeyValuePair<string, string>>? TagsForIam(AwsRequestContext request, string arn)
    {
        if (arn.Split(':') is { Length: 7 } parts && parts[5] == "subgrp")
        {
            return [];
        }

        try
        {
            return Pairs(TagsOf(request, arn));
        }
        catch (AwsServiceException)
        {
            return null;
        }
    }

    private static List<KeyValuePair<string, string>> Pairs(IEnumerable<RdsTag> tags) => [.. tags.Select(t => new KeyValuePair<string, string>(t.Key, t.Value))];
}
