using Amazon;
using Amazon.Runtime;
using Rekey.Aws;
using Rekey.Aws.RDSDataService;
using Rekey.Aws.RDSDataService.Model;

namespace Rekey.Sandbox.Tests.DataPlane;

public sealed class DataApiTests(PostgresSandboxFixture fixture) : IClassFixture<PostgresSandboxFixture>
{
    private const string Secret = "arn:aws:secretsmanager:us-east-1:111111111111:secret:rekey-data-api-AbCdEf";

    [Fact]
    public async Task The_AWS_CLI_runs_SQL_on_a_real_engine_cluster_through_the_Data_API_once_its_HTTP_endpoint_is_enabled()
    {
        await fixture.AvailablePostgresClusterAsync("pg-data-cli");
        var arn = ClusterArn("pg-data-cli");

        var off = await fixture.Cli.FailureAsync("rds-data", "execute-statement", "--resource-arn", arn, "--secret-arn", Secret, "--sql", "SELECT 1");
        Assert.Equal("BadRequestException", off.ErrorCode);
        Assert.Contains("HttpEndpoint is not enabled for cluster pg-data-cli", off.Stderr, StringComparison.Ordinal);

        var enabled = await fixture.Cli.JsonAsync("rds", "enable-http-endpoint", "--resource-arn", arn);
        Assert.True(enabled["HttpEndpointEnabled"]!.GetValue<bool>());

        await fixture.Cli.JsonAsync(
            "rds-data", "execute-statement", "--resource-arn", arn, "--secret-arn", Secret, "--sql", "CREATE TABLE orders (id bigserial PRIMARY KEY, note text, paid boolean)");
        var inserted = await fixture.Cli.JsonAsync(
            "rds-data", "execute-statement", "--resource-arn", arn, "--secret-arn", Secret, "--sql", "INSERT INTO orders (note, paid) VALUES (:note, :paid), (NULL, false)",
            "--parameters", """[{"name":"note","value":{"stringValue":"first"}},{"name":"paid","value":{"booleanValue":true}}]""");
        Assert.Equal(2, inserted["numberOfRecordsUpdated"]!.GetValue<long>());

        var selected = await fixture.Cli.JsonAsync(
            "rds-data", "execute-statement", "--resource-arn", arn, "--secret-arn", Secret, "--sql", "SELECT id, note, paid FROM orders ORDER BY id", "--include-result-metadata");
        var records = selected["records"]!.AsArray();
        Assert.Equal(2, records.Count);
        Assert.Equal(1L, records[0]![0]!["longValue"]!.GetValue<long>());
        Assert.Equal("first", records[0]![1]!["stringValue"]!.GetValue<string>());
        Assert.True(records[0]![2]!["booleanValue"]!.GetValue<bool>());
        Assert.True(records[1]![1]!["isNull"]!.GetValue<bool>());
        Assert.Equal(["id", "note", "paid"], selected["columnMetadata"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()));

        var failed = await fixture.Cli.FailureAsync("rds-data", "execute-statement", "--resource-arn", arn, "--secret-arn", Secret, "--sql", "SELECT * FROM missing");
        Assert.Equal("DatabaseErrorException", failed.ErrorCode);
        Assert.Contains("42P01", failed.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rekeys_Data_API_client_reads_records_and_is_refused_a_secret_of_another_account()
    {
        await fixture.AvailablePostgresClusterAsync("pg-data-client", ("EnableHttpEndpoint", "true"));
        using var data = new AwsClientFactory(new AwsClientOptions
        {
            ServiceUrl = fixture.Sandbox.BaseUrl.ToString(),
            Credentials = new BasicAWSCredentials("111111111111", "sandbox-secret"),
            MaxErrorRetry = 0,
        }).CreateRdsData(RegionEndpoint.USEast1);
        var request = new ExecuteStatementRequest
        {
            ResourceArn = ClusterArn("pg-data-client"),
            SecretArn = Secret,
            Sql = "SELECT last_value, is_called FROM (SELECT 41::bigint AS last_value, true AS is_called) s WHERE last_value = :value",
            Parameters = [new SqlParameter { Name = "value", Value = new Field { LongValue = 41 } }],
        };

        var response = await data.ExecuteStatementAsync(request);
        var record = Assert.Single(response.Records!);
        Assert.Equal(41L, record[0].LongValue);
        Assert.True(record[1].BooleanValue);

        request.SecretArn = "arn:aws:secretsmanager:us-east-1:222222222222:secret:elsewhere-AbCdEf";
        var refused = await Assert.ThrowsAsync<InvalidSecretException>(() => data.ExecuteStatementAsync(request));
        Assert.Contains("222222222222", refused.Message, StringComparison.Ordinal);
    }

    private static string ClusterArn(string identifier) => $"arn:aws:rds:us-east-1:111111111111:cluster:{identifier}";
}
