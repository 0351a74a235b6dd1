using Rekey.Sandbox.Core;

namespace Rekey.Sandbox.Control;

/// <summary>
/// /_sandbox/rate-limits: the API rate limits in force, by signing name (GET), replaced as a whole (PUT, an empty
/// object turns them off). Every bucket starts full after a change.
/// </summary>
public sealed class RateLimitControlApi(ApiRateLimiter limiter) : ISandboxControlApi
{
    public void MapRoutes(IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        routes.MapGet("/_sandbox/rate-limits", () => Results.Json(limiter.Limits, SandboxJson.Options));
        routes.MapPut("/_sandbox/rate-limits", (Dictionary<string, ApiRateLimit> limits) =>
        {
            try
            {
                limiter.Set(limits);
                return Results.Json(limiter.Limits, SandboxJson.Options);
            }
            catch (ArgumentOutOfRangeException error)
            {
                return Results.BadRequest(new { message = error.Message });
            }
        });
    }
}
