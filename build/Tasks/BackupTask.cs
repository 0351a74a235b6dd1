using Cake.Core.Diagnostics;
using Cake.Frosting;
using Rekey.Build.Infrastructure;

namespace Rekey.Build.Tasks;

/// <summary>Cross-account AWS Backup, set up and proven: BackupPreflight, ConfigureBackup, VerifyBackup.</summary>
[TaskName("Backup")]
[TaskDescription("BackupPreflight, ConfigureBackup and VerifyBackup, in order.")]
[IsDependentOn(typeof(VerifyBackupTask))]
[CompositeTarget]
public sealed class BackupTask : FrostingTask<RekeyContext>
{
    public override void Run(RekeyContext context) =>
        context.Log.Information("{0} is backed up by AWS Backup with copies in account {1}.", context.Settings.Cluster, context.BackupSetup?.BackupAccount ?? context.Settings.BackupAccount);
}
