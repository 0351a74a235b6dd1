using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Rekey.Sandbox.RDS;
using Rekey.Sandbox.SecurityToken;

namespace Rekey.Sandbox.Tests;

/// <summary>
/// botocore's service models (what every AWS SDK is generated from), read from the installed
/// botocore package. The CLI ignores XML elements a model does not know, so a misspelled element
/// would silently vanish; these checks catch it.
/// </summary>
internal sealed class BotocoreModel
{
    private readonly JsonObject _model;

    private BotocoreModel(JsonObject model) => _model = model;

    public IEnumerable<string> Operations => _model["operations"]!.AsObject().Select(o => o.Key);

    public static BotocoreModel Load(string service, string version)
    {
        var root = BotocoreDirectory.Value;
        var path = Path.Combine(root, "data", service, version, "service-2.json.gz");
        using var file = File.OpenRead(path);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        return new BotocoreModel(JsonNode.Parse(gzip)!.AsObject());
    }

    /// <summary>Checks a Query response body against the operation's output shape; returns every mismatch.</summary>
    public IReadOnlyList<string> Check(string operation, XElement response)
    {
        var errors = new List<string>();
        var ns = response.Name.Namespace;
        if (response.Name.LocalName != operation + "Response")
        {
            return [$"{operation}: root is {response.Name.LocalName}"];
        }

        if (response.Element(ns + "ResponseMetadata")?.Element(ns + "RequestId") is null)
        {
            errors.Add($"{operation}: no ResponseMetadata/RequestId");
        }

        var output = _model["operations"]![operation]!["output"];
        var result = response.Element(ns + operation + "Result");
        if (output is not null && result is not null)
        {
            CheckShape(result, output["shape"]!.GetValue<string>(), operation, errors);
        }
        else if (result is not null && result.HasElements)
        {
            errors.Add($"{operation}: the model has no output but the result has elements");
        }

        return errors;
    }

    private void CheckShape(XElement element, string shapeName, string path, List<string> errors)
    {
        var shape = _model["shapes"]![shapeName]!;
        var type = shape["type"]!.GetValue<string>();
        switch (type)
        {
            case "structure":
                var members = shape["members"]!.AsObject()
                    .ToDictionary(m => m.Value!["locationName"]?.GetValue<string>() ?? m.Key, m => m.Value!["shape"]!.GetValue<string>());
                foreach (var child in element.Elements())
                {
                    if (members.TryGetValue(child.Name.LocalName, out var memberShape))
                    {
                        CheckShape(child, memberShape, path + "/" + child.Name.LocalName, errors);
                    }
                    else
                    {
                        errors.Add($"{path}: {child.Name.LocalName} is not a member of {shapeName}");
                    }
                }

                break;
            case "list":
                var itemName = shape["member"]!["locationName"]?.GetValue<string>() ?? "member";
                foreach (var item in element.Elements())
                {
                    if (item.Name.LocalName != itemName)
                    {
                        errors.Add($"{path}: list item {item.Name.LocalName} should be {itemName}");
                    }

                    CheckShape(item, shape["member"]!["shape"]!.GetValue<string>(), path + "/" + itemName, errors);
                }

                break;
            case "map":
                // Query maps are <entry><key/><value/></entry> unless the model names them otherwise.
                var keyName = shape["key"]!["locationName"]?.GetValue<string>() ?? "key";
                var valueName = shape["value"]!["locationName"]?.GetValue<string>() ?? "value";
                foreach (var entry in element.Elements())
                {
                    var names = entry.Elements().Select(e => e.Name.LocalName).ToList();
                    if (entry.Name.LocalName != "entry" || names.Count != 2 || !names.Contains(keyName) || !names.Contains(valueName))
                    {
                        errors.Add($"{path}: map entry {entry.Name.LocalName} should be entry with {keyName} and {valueName}");
                    }
                }

                break;
            default:
                if (element.HasElements)
                {
                    errors.Add($"{path}: a {type} has child elements");
                }
                else if (!ValidScalar(type, element.Value))
                {
                    errors.Add($"{path}: '{element.Value}' is not a valid {type}");
                }

                break;
        }
    }

    private static bool ValidScalar(string type, string value) => type switch
    {
        "boolean" => value is "true" or "false",
        "integer" or "long" => long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _),
        "double" or "float" => double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _),
        "timestamp" => DateTimeOffset.TryParseExact(value, "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _),
        _ => true,
    };

    /// <summary>Where botocore, and so its service models, is installed (the JSON models read it too).</summary>
    internal static readonly Lazy<string> BotocoreDirectory = new(() =>
    {
        using var python = Process.Start(new ProcessStartInfo("python3", ["-c", "import botocore,os;print(os.path.dirname(botocore.__file__))"])
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("python3 is needed to find botocore's models.");
        var directory = python.StandardOutput.ReadToEnd().Trim();
        python.WaitForExit();
        return directory;
    });
}

public sealed class ModelConformanceTests(SandboxFixture fixture) : IClassFixture<SandboxFixture>
{
    private static readonly BotocoreModel Rds = BotocoreModel.Load("rds", "2014-10-31");
    private static readonly BotocoreModel Sts = BotocoreModel.Load("sts", "2011-06-15");

    [Fact]
    public void Every_operation_the_sandbox_serves_is_an_operation_of_the_AWS_model()
    {
        Assert.Empty(fixture.Sandbox.Get<RdsService>().Operations.Except(Rds.Operations));
        Assert.Empty(fixture.Sandbox.Get<StsService>().Operations.Except(Sts.Operations));
    }

    [Fact]
    public async Task Every_element_of_every_RDS_and_STS_response_is_a_member_of_the_model_shape()
    {
        var query = fixture.Query;
        var checkedOperations = new HashSet<string>(StringComparer.Ordinal);
        var errors = new List<string>();

        async Task CallAsync(string action, params (string Name, string Value)[] parameters)
        {
            var response = await query.CallAsync(action, parameters.Select(p => new KeyValuePair<string, string>(p.Name, p.Value)));
            errors.AddRange(Rds.Check(action, response));
            checkedOperations.Add(action);
        }

        // A cluster with everything the XML can carry.
        await CallAsync(
            "CreateDBCluster", ("DBClusterIdentifier", "shape"), ("Engine", "aurora-postgresql"), ("MasterUsername", "postgres"),
            ("ManageMasterUserPassword", "true"), ("StorageEncrypted", "true"), ("EnableCloudwatchLogsExports.member.1", "postgresql"),
            ("ServerlessV2ScalingConfiguration.MinCapacity", "0.5"), ("ServerlessV2ScalingConfiguration.MaxCapacity", "4"),
            ("Tags.Tag.1.Key", "team"), ("Tags.Tag.1.Value", "ledger"), ("BacktrackWindow", "3600"));
        fixture.Advance(TimeSpan.FromMinutes(5));
        await CallAsync("CreateDBInstance", ("DBInstanceIdentifier", "shape-1"), ("DBClusterIdentifier", "shape"), ("Engine", "aurora-postgresql"), ("DBInstanceClass", "db.r6g.large"), ("EnablePerformanceInsights", "true"));
        await query.CreateInstanceAsync("shape", "shape-2");
        fixture.Advance(TimeSpan.FromMinutes(10));
        await CallAsync("AddRoleToDBCluster", ("DBClusterIdentifier", "shape"), ("RoleArn", "arn:aws:iam::111111111111:role/s3"), ("FeatureName", "s3Import"));
        await CallAsync("CreateDBClusterEndpoint", ("DBClusterIdentifier", "shape"), ("DBClusterEndpointIdentifier", "shape-any"), ("EndpointType", "ANY"), ("ExcludedMembers.member.1", "shape-2"));
        fixture.Advance(TimeSpan.FromMinutes(1));
        await CallAsync("AddTagsToResource", ("ResourceName", "arn:aws:rds:us-east-1:111111111111:cluster:shape"), ("Tags.Tag.1.Key", "k"), ("Tags.Tag.1.Value", "v"));
        await CallAsync("ListTagsForResource", ("ResourceName", "arn:aws:rds:us-east-1:111111111111:cluster:shape"));
        await CallAsync("RemoveTagsFromResource", ("ResourceName", "arn:aws:rds:us-east-1:111111111111:cluster:shape"), ("TagKeys.member.1", "k"));
        await CallAsync("EnableHttpEndpoint", ("ResourceArn", "arn:aws:rds:us-east-1:111111111111:cluster:shape"));
        await CallAsync("DisableHttpEndpoint", ("ResourceArn", "arn:aws:rds:us-east-1:111111111111:cluster:shape"));
        await CallAsync("ModifyDBCluster", ("DBClusterIdentifier", "shape"), ("NewDBClusterIdentifier", "shape-later"), ("BackupRetentionPeriod", "7"));
        await CallAsync("DescribeDBClusters");
        await CallAsync("DescribeDBInstances");
        await CallAsync("ModifyDBInstance", ("DBInstanceIdentifier", "shape-2"), ("DBInstanceClass", "db.r6g.xlarge"));
        await CallAsync("DescribeDBClusterEndpoints");
        await CallAsync("CreateDBClusterSnapshot", ("DBClusterIdentifier", "shape"), ("DBClusterSnapshotIdentifier", "shape-snap"));
        await CallAsync("DescribeDBClusterSnapshots");
        await CallAsync("FailoverDBCluster", ("DBClusterIdentifier", "shape"));
        fixture.Advance(TimeSpan.FromMinutes(1));
        await CallAsync("RebootDBInstance", ("DBInstanceIdentifier", "shape-1"));
        fixture.Advance(TimeSpan.FromMinutes(6));
        await CallAsync("RestoreDBClusterToPointInTime", ("DBClusterIdentifier", "shape-copy"), ("SourceDBClusterIdentifier", "shape"), ("UseLatestRestorableTime", "true"));
        await CallAsync("ModifyDBClusterSnapshotAttribute", ("DBClusterSnapshotIdentifier", "shape-snap"), ("AttributeName", "restore"), ("ValuesToRemove.AttributeValue.1", "222222222222"));
        await CallAsync("CopyDBClusterSnapshot", ("SourceDBClusterSnapshotIdentifier", "shape-snap"), ("TargetDBClusterSnapshotIdentifier", "shape-snap-copy"), ("CopyTags", "true"));
        await CallAsync("DescribeEvents", ("Duration", "1440"));

        // Parameter groups of both kinds, with a user value and engine defaults to describe.
        foreach (var (noun, prefix, parameter, value) in new[] { ("DBClusterParameterGroup", "shape-cluster-pg", "timezone", "UTC"), ("DBParameterGroup", "shape-pg", "statement_timeout", "1000") })
        {
            await CallAsync($"Create{noun}", ($"{noun}Name", prefix), ("DBParameterGroupFamily", "aurora-postgresql16"), ("Description", "shape"), ("Tags.Tag.1.Key", "k"), ("Tags.Tag.1.Value", "v"));
            await CallAsync($"Copy{noun}", ($"Source{noun}Identifier", prefix), ($"Target{noun}Identifier", prefix + "-copy"), ($"Target{noun}Description", "copy"));
            await CallAsync($"Modify{noun}", ($"{noun}Name", prefix), ("Parameters.Parameter.1.ParameterName", parameter), ("Parameters.Parameter.1.ParameterValue", value), ("Parameters.Parameter.1.ApplyMethod", "immediate"));
            await CallAsync($"Describe{noun}s");
            await CallAsync($"Reset{noun}", ($"{noun}Name", prefix), ("ResetAllParameters", "true"));
            await CallAsync($"Delete{noun}", ($"{noun}Name", prefix + "-copy"));
        }

        await CallAsync("ModifyDBClusterParameterGroup", ("DBClusterParameterGroupName", "shape-cluster-pg"), ("Parameters.Parameter.1.ParameterName", "rds.logical_replication"), ("Parameters.Parameter.1.ParameterValue", "1"), ("Parameters.Parameter.1.ApplyMethod", "pending-reboot"));
        await CallAsync("DescribeDBClusterParameters", ("DBClusterParameterGroupName", "shape-cluster-pg"));
        await CallAsync("DescribeDBParameters", ("DBParameterGroupName", "shape-pg"));
        await CallAsync("ModifyDBCluster", ("DBClusterIdentifier", "shape"), ("DBClusterParameterGroupName", "shape-cluster-pg"), ("ApplyImmediately", "true"));

        using (var http = new HttpClient { BaseAddress = fixture.Sandbox.BaseUrl })
        {
            using var proxy = await http.PostAsync(new Uri("/_sandbox/rds/proxies", UriKind.Relative), JsonContent("""{"name":"shape-proxy"}"""));
            using var subscription = await http.PostAsync(new Uri("/_sandbox/rds/event-subscriptions", UriKind.Relative), JsonContent("""{"name":"shape-sub","snsTopicArn":"arn:aws:sns:us-east-1:111111111111:t","sourceIds":["shape"],"eventCategories":["failover"]}"""));
            using var global = await http.PostAsync(new Uri("/_sandbox/rds/global-clusters", UriKind.Relative), JsonContent("""{"identifier":"shape-global","members":["shape"]}"""));
        }

        await CallAsync("DescribeDBProxies");
        await CallAsync(
            "CreateDBProxy", ("DBProxyName", "shape-api-proxy"), ("EngineFamily", "MYSQL"), ("RoleArn", "arn:aws:iam::111111111111:role/p"),
            ("VpcSubnetIds.member.1", "subnet-1"), ("VpcSubnetIds.member.2", "subnet-2"), ("Auth.member.1.AuthScheme", "SECRETS"), ("Auth.member.1.SecretArn", "arn:aws:secretsmanager:us-east-1:111111111111:secret:s"));
        fixture.Advance(TimeSpan.FromMinutes(1));
        await CallAsync("DeleteDBProxy", ("DBProxyName", "shape-api-proxy"));
        await CallAsync("RegisterDBProxyTargets", ("DBProxyName", "shape-proxy"), ("DBClusterIdentifiers.member.1", "shape"));
        await CallAsync("DescribeDBProxyTargets", ("DBProxyName", "shape-proxy"));
        await CallAsync("DeregisterDBProxyTargets", ("DBProxyName", "shape-proxy"), ("DBClusterIdentifiers.member.1", "shape"));
        await CallAsync("DescribeEventSubscriptions");
        await CallAsync("DescribeGlobalClusters");
        await CallAsync("RemoveRoleFromDBCluster", ("DBClusterIdentifier", "shape"), ("RoleArn", "arn:aws:iam::111111111111:role/s3"));
        await CallAsync("DeleteDBClusterEndpoint", ("DBClusterEndpointIdentifier", "shape-any"));
        await CallAsync("DeleteDBInstance", ("DBInstanceIdentifier", "shape-2"));
        await CallAsync("DeleteDBCluster", ("DBClusterIdentifier", "shape-copy"), ("SkipFinalSnapshot", "true"));
        var key = fixture.CreateCustomerKey("111111111111", "us-east-1");
        await CallAsync(
            "CreateIntegration", ("SourceArn", "arn:aws:rds:us-east-1:111111111111:cluster:shape"),
            ("TargetArn", "arn:aws:redshift-serverless:us-east-1:111111111111:namespace/3b4f1a2c-0d5e-4f6a-8b7c-9d0e1f2a3b4c"),
            ("IntegrationName", "shape-integration"), ("KMSKeyId", key.Arn), ("AdditionalEncryptionContext.entry.1.key", "team"),
            ("AdditionalEncryptionContext.entry.1.value", "ledger"), ("Tags.Tag.1.Key", "k"), ("Tags.Tag.1.Value", "v"),
            ("DataFilter", "include: ledger.*.*"), ("Description", "shape"));
        fixture.Advance(fixture.Sandbox.Runtime.Durations.IntegrationCreate);
        await CallAsync("DescribeIntegrations");
        await CallAsync("DeleteIntegration", ("IntegrationIdentifier", fixture.Read(rds => rds.Integrations.Single()).Arn));

        // A Blue/Green deployment of an eligible cluster, through every status the API shows.
        await CallAsync("CreateDBClusterParameterGroup", ("DBClusterParameterGroupName", "shape-bg-pg"), ("DBParameterGroupFamily", "aurora-postgresql16"), ("Description", "bg"));
        await CallAsync("ModifyDBClusterParameterGroup", ("DBClusterParameterGroupName", "shape-bg-pg"), ("Parameters.Parameter.1.ParameterName", "rds.logical_replication"), ("Parameters.Parameter.1.ParameterValue", "1"), ("Parameters.Parameter.1.ApplyMethod", "pending-reboot"));
        await query.CreateClusterAsync("shape-bg", extra: ("DBClusterParameterGroupName", "shape-bg-pg"));
        fixture.Advance(TimeSpan.FromMinutes(5));
        await query.CreateInstanceAsync("shape-bg", "shape-bg-1");
        fixture.Advance(TimeSpan.FromMinutes(10));
        await CallAsync(
            "CreateBlueGreenDeployment", ("BlueGreenDeploymentName", "shape-bg"), ("Source", "arn:aws:rds:us-east-1:111111111111:cluster:shape-bg"),
            ("TargetResourceConfigurations.TargetResourceConfiguration.1.SourceArn", "arn:aws:rds:us-east-1:111111111111:cluster:shape-bg"),
            ("TargetResourceConfigurations.TargetResourceConfiguration.1.TargetKmsKeyId", key.Arn), ("Tags.Tag.1.Key", "k"), ("Tags.Tag.1.Value", "v"));
        var deployment = fixture.Read(rds => rds.BlueGreenDeployments.Single(d => d.Name == "shape-bg")).Identifier;
        await CallAsync("DescribeBlueGreenDeployments");
        fixture.Advance(TimeSpan.FromHours(1));
        await CallAsync("SwitchoverBlueGreenDeployment", ("BlueGreenDeploymentIdentifier", deployment), ("SwitchoverTimeout", "60"));
        fixture.Advance(TimeSpan.FromMinutes(1));
        await CallAsync("DescribeBlueGreenDeployments", ("BlueGreenDeploymentIdentifier", deployment));
        await CallAsync("DeleteBlueGreenDeployment", ("BlueGreenDeploymentIdentifier", deployment));
        await CallAsync("DescribeBlueGreenDeployments", ("Filters.Filter.1.Name", "blue-green-deployment-name"), ("Filters.Filter.1.Values.Value.1", "shape-bg"));

        // The role both AssumeRole calls name, trusting the caller's account and the token's issuer.
        fixture.Sandbox.Runtime.Change(() => fixture.Sandbox.Get<Rekey.Sandbox.IdentityManagement.IamRoles>().Add(
            "222222222222",
            "r",
            "/",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"sts:AssumeRole"},{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::222222222222:oidc-provider/issuer"},"Action":"sts:AssumeRoleWithWebIdentity"}]}"""));
        foreach (var (action, parameters) in new (string, (string, string)[])[]
        {
            ("GetCallerIdentity", []),
            ("AssumeRole", [("RoleArn", "arn:aws:iam::222222222222:role/r"), ("RoleSessionName", "shape")]),
            ("AssumeRoleWithWebIdentity", [("RoleArn", "arn:aws:iam::222222222222:role/r"), ("RoleSessionName", "shape"), ("WebIdentityToken", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzIiwiYXVkIjoiYSIsImlzcyI6Imh0dHBzOi8vaXNzdWVyIn0.c2ln")]),
        })
        {
            var response = await query.CallAsync(action, parameters.Select(p => new KeyValuePair<string, string>(p.Item1, p.Item2)), service: "sts", version: "2011-06-15");
            errors.AddRange(Sts.Check(action, response));
        }

        Assert.Empty(errors);
        Assert.Empty(fixture.Sandbox.Get<RdsService>().Operations.Except(checkedOperations));
    }

    [Fact]
    public void The_model_check_reports_unknown_elements_wrong_list_items_and_bad_scalars()
    {
        XNamespace ns = "http://rds.amazonaws.com/doc/2014-10-31/";
        var response = new XElement(
            ns + "DescribeDBClustersResponse",
            new XElement(
                ns + "DescribeDBClustersResult",
                new XElement(
                    ns + "DBClusters",
                    new XElement(ns + "DBCluster", new XElement(ns + "ClusterIdentifier", "x"), new XElement(ns + "StorageEncrypted", "yes")),
                    new XElement(ns + "member"))),
            new XElement(ns + "ResponseMetadata", new XElement(ns + "RequestId", "r")));

        var errors = Rds.Check("DescribeDBClusters", response);

        Assert.Equal(3, errors.Count);
        Assert.Contains(errors, e => e.Contains("ClusterIdentifier is not a member of DBCluster", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("'yes' is not a valid boolean", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("list item member should be DBCluster", StringComparison.Ordinal));
    }

    private static StringContent JsonContent(string json) => new(json, System.Text.Encoding.UTF8, "application/json");
}
