using System.Diagnostics;
using Amazon;
using Amazon.Runtime;
using Rekey.Aws.Backup.Model;
using Rekey.Aws.RDS;
using Rekey.Aws.RDS.Model;
using Rekey.Aws.Tests.Support;

namespace Rekey.Aws.Tests.Runtime;

/// <summary>
/// The SDK's retry policy applied to our clients, against a loopback HTTP server that answers with
/// AWS's error documents: throttling and 5xx are retried, AccessDenied is not.
/// </summary>
public sealed class RetryAndErrorTests
{
    private const string Success = """
        <DescribeDBClustersResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/">
          <DescribeDBClustersResult><DBClusters><DBCluster><DBClusterIdentifier>orders</DBClusterIdentifier></DBCluster></DBClusters></DescribeDBClustersResult>
          <ResponseMetadata><RequestId>ok-1</RequestId></ResponseMetadata>
        </DescribeDBClustersResponse>
        """;

    private const string AccessDeniedMessage =
        "User: arn:aws:sts::111111111111:assumed-role/rekey/run-42 is not authorized to perform: rds:ModifyDBCluster " +
        "on resource: arn:aws:rds:eu-west-1:111111111111:cluster:orders because no identity-based policy allows the rds:ModifyDBCluster action";

    [Fact]
    public async Task Throttling_is_retried_by_the_sdk_until_the_call_succeeds()
    {
        using var server = new ScriptedServer(
            QueryError(400, "Throttling", "Rate exceeded"),
            QueryError(400, "Throttling", "Rate exceeded"),
            new ScriptedAnswer(200, Success, "text/xml"));
        using var rds = Factory(server).CreateRds(RegionEndpoint.EUWest1);

        var response = await rds.DescribeDBClustersAsync(new DescribeDBClustersRequest { DBClusterIdentifier = "orders" });

        Assert.Equal("orders", Assert.Single(response.DBClusters!).DBClusterIdentifier);
        Assert.Equal(3, server.Requests.Count);
        Assert.Equal("ok-1", response.RequestId);
    }

    [Fact]
    public async Task Server_error_is_retried_by_the_sdk_until_the_call_succeeds()
    {
        using var server = new ScriptedServer(
            QueryError(500, "InternalFailure", "We encountered an internal error."),
            new ScriptedAnswer(200, Success, "text/xml"));
        using var rds = Factory(server).CreateRds(RegionEndpoint.EUWest1);

        var response = await rds.DescribeDBClustersAsync(new DescribeDBClustersRequest { DBClusterIdentifier = "orders" });

        Assert.Single(response.DBClusters!);
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task Access_denied_fails_at_once_naming_the_action_and_resource()
    {
        using var server = new ScriptedServer(
            QueryError(403, "AccessDenied", AccessDeniedMessage),
            new ScriptedAnswer(200, Success, "text/xml"));
        using var rds = Factory(server).CreateRds(RegionEndpoint.EUWest1);
        var watch = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<AccessDeniedException>(() =>
            rds.ModifyDBClusterAsync(new ModifyDBClusterRequest { DBClusterIdentifier = "orders", NewDBClusterIdentifier = "orders-old", ApplyImmediately = true }));

        Assert.Single(server.Requests);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), "AccessDenied must not wait for retries");
        Assert.Equal("AccessDenied", error.ErrorCode);
        Assert.Contains("not authorized to perform: rds:ModifyDBCluster on resource: arn:aws:rds:eu-west-1:111111111111:cluster:orders", error.Message, StringComparison.Ordinal);
        Assert.Equal("req-AccessDenied", error.RequestId);
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, error.StatusCode);
    }

    [Fact]
    public async Task Rest_json_throttling_is_retried_and_access_denied_is_not()
    {
        const string vault = """{"BackupVaultName":"rekey","BackupVaultArn":"arn:aws:backup:eu-west-1:111111111111:backup-vault:rekey"}""";
        using var server = new ScriptedServer(
            JsonError(400, "ThrottlingException", "Rate exceeded"),
            new ScriptedAnswer(200, vault, "application/json", ("x-amzn-RequestId", "ok-2")),
            JsonError(403, "AccessDeniedException", "User: arn:aws:iam::111111111111:user/ci is not authorized to perform: backup:DescribeBackupVault on resource: arn:aws:backup:eu-west-1:111111111111:backup-vault:rekey"),
            new ScriptedAnswer(200, vault, "application/json"));
        using var backup = Factory(server).CreateBackup(RegionEndpoint.EUWest1);

        var described = await backup.DescribeBackupVaultAsync(new DescribeBackupVaultRequest { BackupVaultName = "rekey" });
        Assert.Equal("rekey", described.BackupVaultName);
        Assert.Equal("ok-2", described.RequestId);
        Assert.Equal(2, server.Requests.Count);

        var denied = await Assert.ThrowsAsync<Rekey.Aws.Backup.AccessDeniedException>(() =>
            backup.DescribeBackupVaultAsync(new DescribeBackupVaultRequest { BackupVaultName = "rekey" }));
        Assert.Equal(3, server.Requests.Count);
        Assert.Contains("backup:DescribeBackupVault on resource: arn:aws:backup:eu-west-1:111111111111:backup-vault:rekey", denied.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Error_without_a_message_still_names_its_code_status_and_request_id()
    {
        using var server = new ScriptedServer(QueryError(400, "InvalidParameterCombination", string.Empty));
        using var rds = Factory(server).CreateRds(RegionEndpoint.EUWest1);

        var error = await Assert.ThrowsAsync<InvalidParameterCombinationException>(() => rds.DescribeDBClustersAsync(new DescribeDBClustersRequest()));

        Assert.Contains("InvalidParameterCombination", error.Message, StringComparison.Ordinal);
        Assert.Contains("req-InvalidParameterCombination", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task In_adaptive_retry_mode_a_throttled_call_is_still_retried_until_it_succeeds()
    {
        using var server = new ScriptedServer(
            QueryError(400, "Throttling", "Rate exceeded"),
            new ScriptedAnswer(200, Success, "text/xml"));
        using var rds = new AwsClientFactory(new AwsClientOptions
        {
            ServiceUrl = server.Endpoint.ToString(),
            Credentials = new BasicAWSCredentials("AKIDRETRY", "secret"),
            RetryMode = RequestRetryMode.Adaptive,
        }).CreateRds(RegionEndpoint.EUWest1);

        var response = await rds.DescribeDBClustersAsync(new DescribeDBClustersRequest { DBClusterIdentifier = "orders" });

        Assert.Equal(RequestRetryMode.Adaptive, ((AmazonServiceClient)rds).Config.RetryMode);
        Assert.Single(response.DBClusters!);
        Assert.Equal(2, server.Requests.Count);
    }

    private static AwsClientFactory Factory(ScriptedServer server) => new(new AwsClientOptions
    {
        ServiceUrl = server.Endpoint.ToString(),
        Credentials = new BasicAWSCredentials("AKIDRETRY", "secret"),
    });

    private static ScriptedAnswer QueryError(int status, string code, string message) => new(status, $"""
        <ErrorResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/">
          <Error><Type>Sender</Type><Code>{code}</Code><Message>{System.Security.SecurityElement.Escape(message)}</Message></Error>
          <RequestId>req-{code}</RequestId>
        </ErrorResponse>
        """, "text/xml");

    private static ScriptedAnswer JsonError(int status, string type, string message) =>
        new(status, System.Text.Json.JsonSerializer.Serialize(new { message }), "application/json", ("x-amzn-ErrorType", type), ("x-amzn-RequestId", "req-" + type));
}
