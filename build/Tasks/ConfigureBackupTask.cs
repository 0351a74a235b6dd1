using Cake.Frosting;
using Rekey.Backup;
using Rekey.Build.Infrastructure;

namespace Rekey.Build.Tasks;

/// <summary>The backup vault and its policy in the backup account; the vault, plan with its copy rule and selection in the cluster's account.</summary>
[TaskName(nameof(ConfigureBackup))]
[TaskDescription("Creates or updates the backup vaults, the vault policy, the backup plan with its cross-account copy rule and the cluster's selection.")]
[IsDependentOn(typeof(BackupPreflightTask))]
[ChangesAws]
public sealed class ConfigureBackupTask : AsyncFrostingTask<RekeyContext>
{
    public override async Task RunAsync(RekeyContext context)
    {
        var setup = context.BackupSetup ?? await BackupSetup.ReadAsync(context.Run, context.CancellationToken);
        await ConfigureBackup.RunAsync(context.Run, setup, context.CancellationToken);
    }
}
