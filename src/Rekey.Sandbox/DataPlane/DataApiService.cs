using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Npgsql;
using Rekey.Sandbox.Core;
using Rekey.Sandbox.Protocols;
using Rekey.Sandbox.RDS;

namespace Rekey.Sandbox.DataPlane;

/// <summary>
/// The RDS Data API (rds-data, REST-JSON, 2018-08-01): ExecuteStatement against the real PostgreSQL server of a
/// cluster whose HTTP endpoint is enabled, over TCP to the cluster's address as any client (so a switchover's
/// refusals and the old blue's read-only setting apply to it), answering records in AWS's JSON shape. The sandbox
/// has no Secrets Manager: any secret ARN of the caller's account and Region is accepted and the statement runs as
/// the cluster's master user (docs/sandbox.md).
/// </summary>
public sealed partial class DataApiService : RestJsonService
{
    private static readonly TimeSpan StatementTimeout = TimeSpan.FromSeconds(45);
    private readonly RdsState _rds;
    private readonly PostgresDataPlane _dataPlane;

    public DataApiService(SandboxRuntime runtime, RdsState rds, PostgresDataPlane dataPlane)
        : base(runtime)
    {
        _rds = rds;
        _dataPlane = dataPlane;
        Register("POST", "/Execute", "ExecuteStatement", mutating: true, ExecuteStatement);
    }

    public override string SigningName => "rds-data";

    protected override void DescribeForIam(AwsRequestContext request, string operation, RestJsonRequest parsed, bool afterHandler)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(parsed);
        if (!afterHandler && parsed.Body["resourceArn"]?.GetValue<string>() is { } arn)
        {
            request.Authorization.Add(arn, CallResourceUse.Named);
        }
    }

    private RestJsonResponse ExecuteStatement(AwsRequestContext request, RestJsonRequest parsed)
    {
        var body = parsed.Body;
        var sql = Required(body, "sql");
        var cluster = Cluster(request, Required(body, "resourceArn"));
        CheckSecret(request, Required(body, "secretArn"));
        if (body["transactionId"]?.GetValue<string>() is { } transaction)
        {
            throw new AwsServiceException("TransactionNotFoundException", $"Transaction {transaction} is not found", HttpStatusCode.NotFound);
        }

        var server = _dataPlane.ReadyServer(cluster.ResourceId)
            ?? throw new AwsServiceException(
                "BadRequestException",
                $"DB cluster {cluster.Identifier} has no database server in the sandbox: the Data API runs SQL on clusters created with --data-plane=postgres.");
        var database = body["database"]?.GetValue<string>() ?? server.Database ?? "postgres";
        var json = body["formatRecordsAs"]?.GetValue<string>() == "JSON";
        var metadata = body["includeResultMetadata"]?.GetValue<bool>() ?? false;
        return RestJsonResponse.Ok(Run(server, database, sql, body["parameters"] as JsonArray, json, metadata));
    }

    private JsonObject Run(PostgresServer server, string database, string sql, JsonArray? parameters, bool json, bool metadata)
    {
        var connectionString = new NpgsqlConnectionStringBuilder(server.ClientConnectionString(server.Address))
        {
            Database = database,
            Pooling = false,
            Timeout = 10,
            CommandTimeout = (int)StatementTimeout.TotalSeconds,
        }.ConnectionString;
        try
        {
            using var connection = new NpgsqlConnection(connectionString);
            connection.Open();
            using var command = new NpgsqlCommand(sql, connection);
            foreach (var parameter in parameters?.OfType<JsonObject>() ?? [])
            {
                command.Parameters.AddWithValue(Required(parameter, "name"), DataApiValues.FromField(parameter["value"] as JsonObject));
            }

            using var reader = command.ExecuteReader();
            return DataApiValues.Result(reader, json, metadata);
        }
        catch (PostgresException error) when (error.SqlState == PostgresErrorCodes.QueryCanceled)
        {
            throw new AwsServiceException("StatementTimeoutException", $"The statement ran longer than {StatementTimeout.TotalSeconds:0} seconds and was canceled.");
        }
        catch (PostgresException error) when (error.SqlState is PostgresErrorCodes.InvalidAuthorizationSpecification or PostgresErrorCodes.AdminShutdown)
        {
            throw Unavailable(error.MessageText);
        }
        catch (PostgresException error)
        {
            throw new AwsServiceException("DatabaseErrorException", $"ERROR: {error.MessageText}; SQLState: {error.SqlState}");
        }
        catch (NpgsqlException error)
        {
            throw Unavailable(error.Message);
        }
    }

    private DbCluster Cluster(AwsRequestContext request, string resourceArn)
    {
        var cluster = _rds.FindCluster(request.Account, request.Region, resourceArn)
            ?? throw new AwsServiceException("BadRequestException", $"{resourceArn} is not the ARN of a DB cluster in account {request.Account} ({request.Region}).");

        // AWS's wording for a cluster whose HTTP endpoint (Data API) is off.
        if (!cluster.HttpEndpointEnabled)
        {
            throw new AwsServiceException(
                "BadRequestException",
                $"HttpEndpoint is not enabled for cluster {cluster.Identifier}. Please refer to https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/data-api.html#data-api.troubleshooting");
        }

        if (cluster.Status != "available" || _rds.WriterOf(cluster) is not { Status: "available" })
        {
            throw Unavailable($"DB cluster {cluster.Identifier} is {cluster.Status}; its writer instance isn't available.");
        }

        return cluster;
    }

    private static void CheckSecret(AwsRequestContext request, string secretArn)
    {
        var match = SecretArnPattern().Match(secretArn);
        if (!match.Success || match.Groups["region"].Value != request.Region || match.Groups["account"].Value != request.Account)
        {
            throw new AwsServiceException("InvalidSecretException", $"{secretArn} is not the ARN of a Secrets Manager secret in account {request.Account} ({request.Region}).");
        }
    }

    private static AwsServiceException Unavailable(string why) =>
        new("DatabaseUnavailableException", $"The database is unavailable: {why}", HttpStatusCode.GatewayTimeout, senderFault: false);

    private static string Required(JsonObject body, string name) =>
        body[name]?.GetValue<string>() is { Length: > 0 } value ? value : throw new AwsServiceException("BadRequestException", $"{name} is required.");

    [GeneratedRegex(@"^arn:aws(-[a-z]+)*:secretsmanager:(?<region>[a-z0-9-]+):(?<account>\d{12}):secret:[A-Za-z0-9/_+=.@!-]+$")]
    private static partial Regex SecretArnPattern();
}
