using System.Net;
using System.Reflection;
using Amazon;
using Amazon.Runtime;
using Rekey.Aws.Runtime;
using Rekey.Aws.Tests.Support;
using Xunit.Abstractions;

namespace Rekey.Aws.Tests.Runtime;

/// <summary>Every client the factory makes asks its change gate before each changing call, and nothing reaches the wire when the gate refuses.</summary>
public sealed class ChangeGateTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Every_changing_operation_of_every_client_asks_the_gate_before_anything_is_sent()
    {
        var http = new RecordingHttp(_ => RecordingHttp.Answer(HttpStatusCode.InternalServerError, string.Empty, "text/plain", DateTimeOffset.UtcNow));
        var gate = new RefusingGate();
        var factory = new AwsClientFactory(new AwsClientOptions
        {
            ServiceUrl = "http://127.0.0.1:9",
            Credentials = new BasicAWSCredentials("AKIDGATE", "secret"),
            HttpClientFactory = http,
            MaxErrorRetry = 0,
        }).WithChangeGate(gate);

        var region = RegionEndpoint.EUWest1;
        var clients = new (Type Interface, object Client)[]
        {
            (typeof(RDS.IAmazonRDS), factory.CreateRds(region)),
            (typeof(Backup.IAmazonBackup), factory.CreateBackup(region)),
            (typeof(RDSDataService.IAmazonRDSDataService), factory.CreateRdsData(region)),
            (typeof(SNS.IAmazonSimpleNotificationService), factory.CreateSns(region)),
            (typeof(CloudWatch.IAmazonCloudWatch), factory.CreateCloudWatch(region)),
            (typeof(ApplicationAutoScaling.IAmazonApplicationAutoScaling), factory.CreateApplicationAutoScaling(region)),
            (typeof(Organizations.IAmazonOrganizations), factory.CreateOrganizations(region)),
            (typeof(IdentityManagement.IAmazonIdentityManagementService), factory.CreateIam(region)),
            (typeof(Amazon.KeyManagementService.IAmazonKeyManagementService), factory.CreateKms(region)),
            (typeof(Amazon.SecurityToken.IAmazonSecurityTokenService), factory.CreateSts(region)),
        };

        var changing = new List<string>();
        foreach (var (contract, client) in clients)
        {
            var serviceId = ((AmazonServiceClient)client).Config.ServiceId;
            foreach (var method in Operations(contract))
            {
                var operation = method.Name[..^"Async".Length];
                if (!AwsOperationKinds.IsChange(serviceId, operation))
                {
                    continue;
                }

                var request = Activator.CreateInstance(method.GetParameters()[0].ParameterType)!;
                var call = (Task)method.Invoke(client, [request, CancellationToken.None])!;
                var refused = await Assert.ThrowsAsync<RefusedByGateException>(() => call);
                Assert.Equal($"{serviceId} {operation}", refused.Change!.ToString());
                Assert.Same(request, refused.Change.Request);
                changing.Add(refused.Change!.ToString());
            }

            ((IDisposable)client).Dispose();
        }

        Assert.Empty(http.Requests);
        Assert.Equal(changing.Count, gate.Seen.Count);
        Assert.Contains("RDS DeleteDBCluster", changing);
        Assert.Contains("RDS SwitchoverBlueGreenDeployment", changing);
        Assert.Contains("RDS AddTagsToResource", changing);
        Assert.Contains("KMS ScheduleKeyDeletion", changing);
        Assert.Contains("Backup StartCopyJob", changing);
        Assert.Contains("Application Auto Scaling PutScalingPolicy", changing);
        Assert.Contains("RDS Data ExecuteStatement", changing);
        foreach (var service in changing.GroupBy(c => c[..c.LastIndexOf(' ')]))
        {
            output.WriteLine($"{service.Key}: {service.Count()} changing operations guarded");
        }

        output.WriteLine($"{changing.Count} changing operations in all");
    }

    [Fact]
    public async Task A_read_does_not_ask_the_gate()
    {
        var http = new RecordingHttp(_ => RecordingHttp.Answer(HttpStatusCode.OK, "<DescribeDBClustersResponse xmlns=\"http://rds.amazonaws.com/doc/2014-10-31/\"><DescribeDBClustersResult><DBClusters/></DescribeDBClustersResult></DescribeDBClustersResponse>", "text/xml", DateTimeOffset.UtcNow));
        var gate = new RefusingGate();
        using var rds = new AwsClientFactory(new AwsClientOptions
        {
            ServiceUrl = "http://127.0.0.1:9",
            Credentials = new BasicAWSCredentials("AKIDGATE", "secret"),
            HttpClientFactory = http,
        }).WithChangeGate(gate).CreateRds(RegionEndpoint.EUWest1);

        await rds.DescribeDBClustersAsync(new RDS.Model.DescribeDBClustersRequest());

        Assert.Empty(gate.Seen);
        Assert.Single(http.Requests);
    }

    [Fact]
    public async Task The_gate_goes_along_to_the_clients_of_an_assumed_role()
    {
        var http = new RecordingHttp(request => RecordingHttp.Answer(
            HttpStatusCode.OK,
            """<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>AKIDBACKUP</AccessKeyId><SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken><Expiration>2030-01-01T00:00:00Z</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::222222222222:assumed-role/r/s</Arn><AssumedRoleId>x:s</AssumedRoleId></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></AssumeRoleResponse>""",
            "text/xml",
            DateTimeOffset.UtcNow));
        var gate = new RefusingGate();
        var factory = new AwsClientFactory(new AwsClientOptions
        {
            ServiceUrl = "http://127.0.0.1:9",
            Credentials = new BasicAWSCredentials("AKIDGATE", "secret"),
            HttpClientFactory = http,
        }).WithChangeGate(gate);

        var (assumed, _) = await factory.AssumeRoleAsync(RegionEndpoint.EUWest1, "arn:aws:iam::222222222222:role/r", "s");
        using var backup = assumed.CreateBackup(RegionEndpoint.EUWest1);
        await Assert.ThrowsAsync<RefusedByGateException>(() => backup.CreateBackupVaultAsync(new Backup.Model.CreateBackupVaultRequest { BackupVaultName = "v" }));

        Assert.Equal(["STS AssumeRole is not a change", "Backup CreateBackupVault"], ["STS AssumeRole is not a change", .. gate.Seen.Select(c => c.ToString())]);
        Assert.Single(http.Requests);
    }

    [Theory]
    [InlineData("RDS", "DescribeDBClusters", false)]
    [InlineData("RDS", "ListTagsForResource", false)]
    [InlineData("CloudWatch", "GetMetricData", false)]
    [InlineData("STS", "GetCallerIdentity", false)]
    [InlineData("STS", "AssumeRole", false)]
    [InlineData("SNS", "Publish", false)]
    [InlineData("RDS", "ModifyDBCluster", true)]
    [InlineData("RDS", "RebootDBInstance", true)]
    [InlineData("RDS", "RemoveTagsFromResource", true)]
    [InlineData("KMS", "PutKeyPolicy", true)]
    [InlineData("KMS", "CreateGrant", true)]
    [InlineData("Backup", "StartBackupJob", true)]
    public void An_operation_is_a_change_unless_it_only_reads(string serviceId, string operation, bool change) =>
        Assert.Equal(change, AwsOperationKinds.IsChange(serviceId, operation));

    /// <summary>The client's operations: every <c>XAsync(XRequest, CancellationToken)</c> of its interface.</summary>
    private static IEnumerable<MethodInfo> Operations(Type contract) =>
        contract.GetMethods()
            .Where(m => m.Name.EndsWith("Async", StringComparison.Ordinal) && typeof(Task).IsAssignableFrom(m.ReturnType))
            .Where(m => m.GetParameters() is [{ } first, { } second]
                && typeof(AmazonWebServiceRequest).IsAssignableFrom(first.ParameterType)
                && first.ParameterType.Name == m.Name[..^"Async".Length] + "Request"
                && second.ParameterType == typeof(CancellationToken));

    private sealed class RefusedByGateException : Exception
    {
        public RefusedByGateException()
        {
        }

        public RefusedByGateException(string message)
            : base(message)
        {
        }

        public RefusedByGateException(string message, Exception innerException)
            : base(message, innerException)
        {
        }

        public RefusedByGateException(AwsChange change)
            : base(change.ToString()) => Change = change;

        public AwsChange? Change { get; }
    }

    private sealed class RefusingGate : IChangeGate
    {
        public List<AwsChange> Seen { get; } = [];

        public Task BeforeChangeAsync(AwsChange change, CancellationToken cancellationToken)
        {
            Seen.Add(change);
            throw new RefusedByGateException(change);
        }
    }
}
