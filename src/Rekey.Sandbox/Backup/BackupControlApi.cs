using Rekey.Sandbox.Core;

namespace Rekey.Sandbox.Backup;

/// <summary>
/// Sandbox API for AWS Backup: GET /_sandbox/backup/jobs (backup and copy jobs of every account)
/// and GET /_sandbox/backup/recovery-points?account=, to look at a rehearsal afterwards.
/// </summary>
public sealed class BackupControlApi(BackupState state, SandboxRuntime runtime) : ISandboxControlApi
{
    public void MapRoutes(IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        routes.MapGet("/_sandbox/backup/jobs", () => Results.Json(
            runtime.Read(() => new { state.BackupJobs, state.CopyJobs }), SandboxJson.Options));
        routes.MapGet("/_sandbox/backup/recovery-points", (string? account) => Results.Json(
            runtime.Read(() => state.RecoveryPoints.Where(p => account is null || p.Account == account).ToList()), SandboxJson.Options));
    }
}
