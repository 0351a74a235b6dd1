using Amazon;
using Amazon.Runtime;

namespace Rekey.Aws.Tests.Support;

/// <summary>The services and operations Rekey's clients must serve, as AWS's models name them.</summary>
internal sealed record ServiceUnderTest(string Model, string Namespace, string Protocol, string SigningName, string[] Operations)
{
    /// <summary>For a global service, the region every request in the aws partition is signed for, whatever the client's region.</summary>
    public string? GlobalSigningRegion { get; init; }

    public static readonly ServiceUnderTest Rds = new("rds", "Rekey.Aws.RDS", "query", "rds",
    [
        "DescribeDBClusters", "DescribeDBInstances", "DescribeDBClusterEndpoints", "CreateDBClusterEndpoint",
        "DeleteDBClusterEndpoint", "ModifyDBCluster", "ModifyDBInstance", "RestoreDBClusterToPointInTime",
        "CreateDBInstance", "DeleteDBInstance", "DeleteDBCluster", "RebootDBInstance", "FailoverDBCluster",
        "AddRoleToDBCluster", "RemoveRoleFromDBCluster", "AddTagsToResource", "RemoveTagsFromResource",
        "ListTagsForResource", "DescribeGlobalClusters", "DescribeDBProxies", "DescribeDBProxyTargets",
        "RegisterDBProxyTargets", "DeregisterDBProxyTargets", "DescribeEventSubscriptions", "DescribeEvents",
        "CreateDBClusterSnapshot", "DescribeDBClusterSnapshots", "CreateDBCluster", "CreateDBProxy",
        "DescribeIntegrations", "CreateIntegration", "CopyDBClusterParameterGroup", "CreateDBClusterParameterGroup",
        "CreateDBParameterGroup", "DeleteDBClusterParameterGroup", "DescribeDBClusterParameterGroups",
        "DescribeDBClusterParameters", "DescribeDBParameterGroups", "DescribeDBParameters", "ModifyDBClusterParameterGroup",
    ]);

    public static readonly ServiceUnderTest Backup = new("backup", "Rekey.Aws.Backup", "rest-json", "backup",
    [
        "CreateBackupVault", "DescribeBackupVault", "PutBackupVaultAccessPolicy", "GetBackupVaultAccessPolicy",
        "CreateBackupPlan", "UpdateBackupPlan", "GetBackupPlan", "ListBackupPlans", "CreateBackupSelection",
        "GetBackupSelection", "ListBackupSelections", "DescribeGlobalSettings", "StartBackupJob",
        "DescribeBackupJob", "StartCopyJob", "DescribeCopyJob", "ListCopyJobs", "ListRecoveryPointsByBackupVault",
        "TagResource",
    ]);

    public static readonly ServiceUnderTest RdsData = new("rds-data", "Rekey.Aws.RDSDataService", "rest-json", "rds-data", ["ExecuteStatement"]);

    public static readonly ServiceUnderTest Sns = new("sns", "Rekey.Aws.SNS", "query", "sns", ["Publish", "GetTopicAttributes", "CreateTopic"]);

    public static readonly ServiceUnderTest CloudWatch = new("cloudwatch", "Rekey.Aws.CloudWatch", "query", "monitoring", ["GetMetricData"]);

    public static readonly ServiceUnderTest Organizations = new("organizations", "Rekey.Aws.Organizations", "json", "organizations", ["DescribeOrganization"])
    {
        GlobalSigningRegion = "us-east-1",
    };

    public static readonly ServiceUnderTest Iam = new("iam", "Rekey.Aws.IdentityManagement", "query", "iam", ["GetRole"])
    {
        GlobalSigningRegion = "us-east-1",
    };

    public static readonly ServiceUnderTest ApplicationAutoScaling = new("application-autoscaling", "Rekey.Aws.ApplicationAutoScaling", "json", "application-autoscaling",
        ["DescribeScalableTargets", "DescribeScalingPolicies", "RegisterScalableTarget", "PutScalingPolicy"]);

    public static IReadOnlyList<ServiceUnderTest> All { get; } = [Rds, Backup, RdsData, Sns, CloudWatch, Organizations, Iam, ApplicationAutoScaling];

    public static ServiceUnderTest Named(string model) => All.Single(s => s.Model == model);

    public static TheoryData<string, string> AllOperations()
    {
        var data = new TheoryData<string, string>();
        foreach (var service in All)
        {
            foreach (var operation in service.Operations)
            {
                data.Add(service.Model, operation);
            }
        }

        return data;
    }

    /// <summary>The credential scope region of a request from a client for <paramref name="region"/> in the aws partition.</summary>
    public string SigningRegion(RegionEndpoint region) => GlobalSigningRegion ?? region.SystemName;

    public Type RequestType(string operation) => Type(operation + "Request");

    public Type ResponseType(string operation) => Type(operation + "Response");

    public IDisposable CreateClient(AwsClientFactory factory, RegionEndpoint region) => Model switch
    {
        "rds" => factory.CreateRds(region),
        "backup" => factory.CreateBackup(region),
        "rds-data" => factory.CreateRdsData(region),
        "sns" => factory.CreateSns(region),
        "cloudwatch" => factory.CreateCloudWatch(region),
        "organizations" => factory.CreateOrganizations(region),
        "iam" => factory.CreateIam(region),
        "application-autoscaling" => factory.CreateApplicationAutoScaling(region),
        _ => throw new InvalidOperationException(Model),
    };

    /// <summary>Calls &lt;Operation&gt;Async on the client and returns the typed response.</summary>
    public static async Task<AmazonWebServiceResponse> InvokeAsync(IDisposable client, string operation, AmazonWebServiceRequest request)
    {
        var method = client.GetType().GetMethod(operation + "Async", [request.GetType(), typeof(CancellationToken)])
            ?? throw new Xunit.Sdk.XunitException($"{client.GetType().Name} has no {operation}Async");
        var task = (Task)method.Invoke(client, [request, CancellationToken.None])!;
        await task;
        return (AmazonWebServiceResponse)task.GetType().GetProperty("Result")!.GetValue(task)!;
    }

    private Type Type(string name) =>
        typeof(AwsClientFactory).Assembly.GetType($"{Namespace}.Model.{name}")
        ?? throw new Xunit.Sdk.XunitException($"Rekey.Aws has no {Namespace}.Model.{name}");
}
