using System.Net;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Rekey.Sandbox.Protocols;

namespace Rekey.Sandbox.RDS;

/// <summary>IAM roles associated with a cluster, for the features that act for it.</summary>
public sealed partial class RdsService
{
    private void RegisterRoleOperations()
    {
        Register("AddRoleToDBCluster", mutating: true, AddRoleToDBCluster);
        Register("RemoveRoleFromDBCluster", mutating: true, RemoveRoleFromDBCluster);
    }

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

    [GeneratedRegex("^arn:aws:iam::[0-9]{12}:role/[\\w+=,.@/-]+$")]
    private static partial Regex RoleArnPattern();
}
