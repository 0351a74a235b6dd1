using System.Globalization;
using Rekey.Sandbox.Core;

namespace Rekey.Sandbox.Control;

/// <summary>
/// The sandbox API every test and rehearsal uses, under /_sandbox/: health, clock, call record,
/// faults, keys and the whole state. Services add their own routes (e.g. /_sandbox/rds/...).
/// </summary>
public sealed class CoreControlApi(IServiceProvider services) : ISandboxControlApi
{
    public void MapRoutes(IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        var group = routes.MapGroup("/_sandbox");
        group.MapGet("/health", () => Results.Json(new { status = "ready", now = Clock.Now }, SandboxJson.Options));

        group.MapGet("/clock", () => Results.Json(new { now = Clock.Now, speed = Clock.Speed, paused = Clock.IsPaused, wholeSeconds = Clock.WholeSeconds }, SandboxJson.Options));
        group.MapPost("/clock/pause", () => Results.Json(new { now = Runtime.Change(() => Clock.Pause()), paused = true }, SandboxJson.Options));
        group.MapPost("/clock/resume", () => Results.Json(new { now = Runtime.Change(() => Clock.Resume()), paused = false }, SandboxJson.Options));
        group.MapPost("/clock/advance", (ClockAdvance body) =>
            Results.Json(new { now = Runtime.Change(() => Clock.Advance(TimeSpan.FromSeconds(body.Seconds))) }, SandboxJson.Options));

        // The unruly mode: GET says what it does, PUT {"seed": N} turns it on, {"seed": null} off.
        group.MapGet("/chaos", () => Results.Json(Chaos.Describe(), SandboxJson.Options));
        group.MapPut("/chaos", (ChaosRequest body) =>
        {
            Runtime.Change(() =>
            {
                Chaos.Set(body.Seed);
                return body.Seed;
            });
            return Results.Json(Chaos.Describe(), SandboxJson.Options);
        });

        group.MapGet("/calls", (string? account, string? service, string? operation, bool? mutating) =>
            Results.Json(Calls.Find(account, service, operation, mutating), SandboxJson.Options));
        group.MapDelete("/calls", () =>
        {
            Calls.Clear();
            return Results.NoContent();
        });

        group.MapGet("/faults", () => Results.Json(Faults.Pending(), SandboxJson.Options));
        group.MapPost("/faults", (FaultRule rule) =>
        {
            try
            {
                Faults.Add(rule);
                return Results.Json(rule, SandboxJson.Options, statusCode: StatusCodes.Status201Created);
            }
            catch (ArgumentOutOfRangeException error)
            {
                return Results.BadRequest(new { message = error.Message });
            }
        });
        group.MapDelete("/faults", () =>
        {
            Faults.Clear();
            return Results.NoContent();
        });

        group.MapPost("/keys", (KeyRequest body) =>
        {
            try
            {
                var key = Runtime.Change(() => Keys.CreateCustomerKey(
                    body.Account ?? AccountResolver.DefaultAccount, body.Region ?? Runtime.Options.DefaultRegion, body.Alias, body.Description));
                return Results.Json(key, SandboxJson.Options, statusCode: StatusCodes.Status201Created);
            }
            catch (InvalidOperationException error)
            {
                return Results.Conflict(new { message = error.Message });
            }
        });
        group.MapPut("/keys/{account}/{region}/{keyId}/state", (string account, string region, string keyId, KeyStateRequest body) =>
        {
            try
            {
                return Results.Json(Runtime.Change(() => Keys.SetKeyState(account, region, keyId, body.KeyState)), SandboxJson.Options);
            }
            catch (KeyNotFoundException error)
            {
                return Results.NotFound(new { message = error.Message });
            }
        });

        group.MapGet("/state", () => Results.Text(
            Runtime.Read(() => services.GetRequiredService<StateStore>().Capture().ToJsonString()), "application/json"));
        group.MapGet("/dns/{name}", (string name) =>
        {
            var found = Runtime.Read(() => services.GetRequiredService<Dns.DnsZone>().Resolve(name, Clock.Now));
            return found is null
                ? Results.NotFound(new { message = string.Create(CultureInfo.InvariantCulture, $"{name} does not resolve") })
                : Results.Json(new { name = found.Name, canonicalName = found.CanonicalName, address = found.Address.ToString(), owner = found.Owner }, SandboxJson.Options);
        });
    }

    private SandboxRuntime Runtime => services.GetRequiredService<SandboxRuntime>();

    private SandboxClock Clock => services.GetRequiredService<SandboxClock>();

    private ChaosMode Chaos => services.GetRequiredService<ChaosMode>();

    private CallLog Calls => services.GetRequiredService<CallLog>();

    private FaultInjector Faults => services.GetRequiredService<FaultInjector>();

    private IKeyRegistry Keys => services.GetRequiredService<IKeyRegistry>();

    public sealed record ClockAdvance(double Seconds);

    public sealed record ChaosRequest(long? Seed);

    public sealed record KeyRequest(string? Account, string? Region, string? Alias, string? Description);

    public sealed record KeyStateRequest(string KeyState);
}
