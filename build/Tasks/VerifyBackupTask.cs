using Cake.Core.Diagnostics;
using Cake.Frosting;
using Rekey.Backup;
using Rekey.Build.Infrastructure;

namespace Rekey.Build.Tasks;

/// <summary>An on-demand backup, a copy into the backup vault, and the copy seen from the backup account.</summary>
[TaskName(nameof(VerifyBackup))]
[TaskDescription("Backs the cluster up once, copies the recovery point into the backup account and checks it lists there.")]
[IsDependentOn(typeof(ConfigureBackupTask))]
[ChangesAws]
public sealed class VerifyBackupTask : AsyncFrostingTask<RekeyContext>
{
    public override async Task RunAsync(RekeyContext context)
    {
        // Checked again with the vaults and their policy required, so a run with --exclusive fails before it starts a job.
        var report = await BackupPreflight.RunAsync(context.Run, requireConfigured: true, context.CancellationToken);
        if (!report.Passed)
        {
            throw new BackupPreflightFailedException(report);
        }

        var result = await VerifyBackup.RunAsync(context.Run, report.Setup, context.CancellationToken);
        context.Log.Information("Backup job {0} and copy job {1} completed; {2} is in the backup account.", result.BackupJobId, result.CopyJobId, result.CopyRecoveryPointArn);
    }
}
