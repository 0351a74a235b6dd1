using Cake.Core.Diagnostics;
using Cake.Frosting;
using Rekey.Backup;

namespace Rekey.Build.Tasks;

/// <summary>
/// Read only. Lists at once every reason AWS Backup could not copy the cluster's recovery points into the
/// backup account: the cluster's key, the organization and its cross-account setting, the key policy, the roles.
/// </summary>
[TaskName(nameof(BackupPreflight))]
[TaskDescription("Checks that AWS Backup can copy the cluster into the backup account (key, organization, roles); changes nothing.")]
public sealed class BackupPreflightTask : AsyncFrostingTask<RekeyContext>
{
    public override async Task RunAsync(RekeyContext context)
    {
        var report = await BackupPreflight.RunAsync(context.Run, requireConfigured: false, context.CancellationToken);
        context.BackupSetup = report.Setup;
        foreach (var note in report.Notes)
        {
            context.Log.Information("{0}", note);
        }

        foreach (var warning in report.Warnings)
        {
            context.Run.Journal.Add("BackupPreflight", warning, Reporting.JournalLevel.Warning);
            context.Log.Warning("Warning: {0}", warning);
        }

        if (!report.Passed)
        {
            throw new BackupPreflightFailedException(report);
        }

        context.Log.Information("Backup preflight passed: {0} can copy into vault {1} of account {2}.", report.Setup.ClusterArn, report.Setup.BackupVaultName, report.Setup.BackupAccount);
    }
}
