using Rekey.Sandbox.Core;

namespace Rekey.Sandbox.RDS;

/// <summary>
/// Sandbox API for RDS under /_sandbox/rds/: inspect clusters and their write history, seed what
/// the RDS API cannot create here (proxies, event subscriptions, global clusters), and drive the
/// simulated application.
/// </summary>
public sealed class RdsControlApi(RdsState state, SimulatedApplications applications, SandboxRuntime runtime) : ISandboxControlApi
{
    public void MapRoutes(IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        var group = routes.MapGroup("/_sandbox/rds");

        group.MapGet("/clusters", () => Json(runtime.Read(() => state.Clusters.Select(c => new
        {
            c.Account,
            c.Region,
            c.Identifier,
            c.ResourceId,
            c.Status,
            c.StorageEncrypted,
            c.StorageEncryptionType,
            c.KmsKeyId,
            Endpoint = RdsState.ClusterEndpointName(c.Account, c.Region, c.Identifier),
            Writes = c.Writes.Count,
            c.RestoredFromResourceId,
            c.RestoredToTime,
        }).ToList())));
        group.MapGet("/clusters/{account}/{region}/{identifier}/writes", (string account, string region, string identifier) =>
        {
            var writes = runtime.Read(() => state.FindCluster(account, region, identifier)?.Writes.ToList());
            return writes is null ? Results.NotFound(new { message = $"No cluster {identifier} in {account} {region}." }) : Json(writes);
        });

        group.MapPost("/proxies", (ProxySeed body) => Json(runtime.Change(() =>
        {
            var proxy = new DbProxy
            {
                Account = body.Account ?? AccountResolver.DefaultAccount,
                Region = body.Region ?? runtime.Options.DefaultRegion,
                Name = body.Name,
                ResourceId = "prx-" + RandomText.LowerAlphanumeric(17),
                EngineFamily = body.EngineFamily ?? "POSTGRESQL",
                RoleArn = body.RoleArn ?? $"arn:aws:iam::{body.Account ?? AccountResolver.DefaultAccount}:role/rds-proxy",
                CreatedDate = runtime.Clock.Now,
                AvailableAt = runtime.Clock.Now,
                VpcSecurityGroupIds = [RdsState.DefaultSecurityGroup(body.Account ?? AccountResolver.DefaultAccount, body.Region ?? runtime.Options.DefaultRegion)],
            };
            state.Proxies.Add(proxy);
            return proxy;
        }), StatusCodes.Status201Created));
        group.MapPost("/event-subscriptions", (SubscriptionSeed body) => Json(runtime.Change(() =>
        {
            var subscription = new EventSubscription(
                body.Account ?? AccountResolver.DefaultAccount,
                body.Region ?? runtime.Options.DefaultRegion,
                body.Name,
                body.SnsTopicArn,
                body.SourceType,
                body.SourceIds ?? [],
                body.EventCategories ?? [],
                Enabled: true,
                runtime.Clock.Now);
            state.Subscriptions.Add(subscription);
            return subscription;
        }), StatusCodes.Status201Created));
        group.MapPost("/global-clusters", (GlobalClusterSeed body) =>
        {
            var account = body.Account ?? AccountResolver.DefaultAccount;
            var region = body.Region ?? runtime.Options.DefaultRegion;
            var created = runtime.Change(() =>
            {
                var members = body.Members.Select(m => state.FindCluster(account, region, m)).ToList();
                if (members.Any(m => m is null) || members.Count == 0)
                {
                    return null;
                }

                var global = new GlobalCluster(
                    account,
                    body.Identifier,
                    "cluster-" + RandomText.LowerAlphanumeric(26),
                    members[0]!.Engine,
                    members[0]!.EngineVersion,
                    members[0]!.StorageEncrypted,
                    [.. members.Select(m => m!.ResourceId)],
                    members[0]!.ResourceId);
                foreach (var member in members)
                {
                    member!.GlobalClusterIdentifier = body.Identifier;
                }

                state.GlobalClusters.Add(global);
                return global;
            });
            return created is null ? Results.BadRequest(new { message = "Every member must be an existing cluster." }) : Json(created, StatusCodes.Status201Created);
        });

        group.MapPost("/connections", (OpenRequest body) =>
        {
            try
            {
                return Json(applications.Open(body.Endpoint, body.Account, body.Region), StatusCodes.Status201Created);
            }
            catch (DatabaseConnectionException error)
            {
                return Results.Json(new { message = error.Message }, SandboxJson.Options, statusCode: StatusCodes.Status409Conflict);
            }
        });
        group.MapGet("/connections", () => Json(applications.Connections()));
        group.MapPost("/connections/{id}/writes", (string id, WriteRequest body) =>
        {
            try
            {
                return Json(applications.Write(id, body.Key, body.Value));
            }
            catch (KeyNotFoundException error)
            {
                return Results.NotFound(new { message = error.Message });
            }
        });
        group.MapPost("/connections/{id}/statements", (string id, StatementRequest body) =>
        {
            try
            {
                return Json(applications.Run(id, body.Kind, body.Statement, TimeSpan.FromSeconds(body.Seconds)), StatusCodes.Status201Created);
            }
            catch (KeyNotFoundException error)
            {
                return Results.NotFound(new { message = error.Message });
            }
            catch (Exception error) when (error is ArgumentException or DatabaseConnectionException)
            {
                return Results.BadRequest(new { message = error.Message });
            }
        });
        group.MapDelete("/connections/{id}", (string id) =>
        {
            try
            {
                return Json(applications.Close(id));
            }
            catch (KeyNotFoundException error)
            {
                return Results.NotFound(new { message = error.Message });
            }
        });
        group.MapGet("/writes", () => Json(applications.Writes()));
    }

    private static IResult Json(object? value, int status = StatusCodes.Status200OK) => Results.Json(value, SandboxJson.Options, statusCode: status);

    public sealed record ProxySeed(string Name, string? Account, string? Region, string? EngineFamily, string? RoleArn);

    public sealed record SubscriptionSeed(
        string Name, string SnsTopicArn, string? Account, string? Region, string? SourceType, IReadOnlyList<string>? SourceIds, IReadOnlyList<string>? EventCategories);

    public sealed record GlobalClusterSeed(string Identifier, IReadOnlyList<string> Members, string? Account, string? Region);

    public sealed record OpenRequest(string Endpoint, string? Account, string? Region);

    public sealed record WriteRequest(string Key, string Value);

    public sealed record StatementRequest(string Kind, string Statement, double Seconds);
}
