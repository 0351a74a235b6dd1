using Microsoft.Extensions.Logging;
using Rekey.Aws.Backup.Model;
using Rekey.Runtime;
using Rekey.Waiting;
using Rekey.Safety;
using Rekey.Aws.Backup;

namespace Rekey.Backup;

/// <summary>What a verification copy proved: the jobs, their times on AWS's clock, and the copy in the backup account.</summary>
public sealed record BackupVerification(
    string BackupJobId,
    DateTimeOffset? BackupStarted,
    DateTimeOffset? BackupCompleted,
    string RecoveryPointArn,
    string CopyJobId,
    DateTimeOffset? CopyStarted,
    DateTimeOffset? CopyCompleted,
    string CopyRecoveryPointArn,
    string? CopyEncryptionKeyArn);

/// <summary>An AWS Backup job ended without a recovery point; the message carries AWS's status message.</summary>
public sealed class BackupJobFailedException : Exception
{
    public BackupJobFailedException()
    {
    }

    public BackupJobFailedException(string message)
        : base(message)
    {
    }

    public BackupJobFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// Proves the set-up works: an on-demand backup job of the cluster, a copy job of its recovery point into
/// the backup vault, and the copy listed in the backup account. The jobs carry idempotency tokens made
/// from the run id, so a rerun of the same run picks its own jobs up again instead of starting new ones.
/// </summary>
public static class VerifyBackup
{
    public static StepRules Rules { get; } = StepRules.Of(
        "VerifyBackup", LockRule.NotHeldByAnother, ClusterExpectation.CutoverFinished, checksTargetKey: false,
        StepRules.Backup(nameof(IAmazonBackup.StartBackupJobAsync), nameof(IAmazonBackup.StartCopyJobAsync)))
        .Reading(StepRules.ClusterReads, StepRules.AwsClockRead, StepRules.Sts("AssumeRole"), StepRules.Backup("DescribeBackupJob", "DescribeCopyJob", "ListRecoveryPointsByBackupVault"));

    private const string Step = "VerifyBackup";

    // The states a job does not leave, other than success: a partial backup or copy is no copy to rely on.
    private static readonly HashSet<string> BackupJobEnded = new(StringComparer.Ordinal) { BackupJobState.Failed, BackupJobState.Aborted, BackupJobState.Expired, BackupJobState.Partial };

    private static readonly HashSet<string> CopyJobEnded = new(StringComparer.Ordinal) { CopyJobState.Failed, CopyJobState.Partial };

    public static async Task<BackupVerification> RunAsync(RekeyRun run, BackupSetup setup, CancellationToken cancellationToken)
    {
        var roleArn = setup.BackupRoleArn
            ?? throw new Configuration.InvalidArgumentsException("VerifyBackup needs the backup account's role: give --backup-role-arn=arn:aws:iam::BACKUP_ACCOUNT:role/NAME.");

        var started = await run.Backup.StartBackupJobAsync(
            new StartBackupJobRequest
            {
                BackupVaultName = setup.SourceVaultName,
                ResourceArn = setup.ClusterArn,
                IamRoleArn = setup.ServiceRoleArn,
                IdempotencyToken = $"rekey-verify-backup-{run.RunId}",
                Lifecycle = new Lifecycle { DeleteAfterDays = setup.RetentionDays },
                RecoveryPointTags = new Dictionary<string, string> { [BackupSetup.ManagedTagKey] = "true", ["rekey:run-id"] = run.RunId },
            },
            cancellationToken).ConfigureAwait(false);
        var backupJobId = started.BackupJobId!;
        run.Journal.Fact("backup-job-id", backupJobId);
        run.Log.LogInformation("Backup job {Job} of {Cluster} started", backupJobId, setup.ClusterArn);

        var backup = await run.Wait.UntilAsync(
            $"backup job {backupJobId} of {setup.Cluster}",
            run.Wait.Settings.BackupJobDeadline,
            async token =>
            {
                var job = await run.Backup.DescribeBackupJobAsync(new DescribeBackupJobRequest { BackupJobId = backupJobId }, token).ConfigureAwait(false);
                if (BackupJobEnded.Contains(job.State ?? string.Empty))
                {
                    throw new BackupJobFailedException($"Backup job {backupJobId} of {setup.ClusterArn} ended {job.State}: {job.StatusMessage}");
                }

                return job.State == BackupJobState.Completed ? Probe<DescribeBackupJobResponse>.Ready(job, job.State) : Probe<DescribeBackupJobResponse>.NotYet(job, $"{job.State} {job.PercentDone}%");
            },
            cancellationToken).ConfigureAwait(false);
        var recoveryPointArn = backup.RecoveryPointArn!;
        var backupStarted = Utc(backup.CreationDate) ?? Utc(started.CreationDate) ?? started.ServerDate;
        var backupCompleted = Utc(backup.CompletionDate);
        if (backupStarted is { } begun)
        {
            run.Journal.Mark("backup-job-started", begun);
        }

        if (backupCompleted is { } done)
        {
            run.Journal.Mark("backup-job-completed", done);
        }

        run.Journal.Fact("recovery-point-arn", recoveryPointArn);

        var copyStart = await run.Backup.StartCopyJobAsync(
            new StartCopyJobRequest
            {
                RecoveryPointArn = recoveryPointArn,
                SourceBackupVaultName = setup.SourceVaultName,
                DestinationBackupVaultArn = setup.BackupVaultArn,
                IamRoleArn = setup.ServiceRoleArn,
                IdempotencyToken = $"rekey-verify-copy-{run.RunId}",
                Lifecycle = new Lifecycle { DeleteAfterDays = setup.CopyRetentionDays },
            },
            cancellationToken).ConfigureAwait(false);
        var copyJobId = copyStart.CopyJobId!;
        run.Journal.Fact("copy-job-id", copyJobId);
        run.Log.LogInformation("Copy job {Job} to {Vault} started", copyJobId, setup.BackupVaultArn);

        var copy = await run.Wait.UntilAsync(
            $"copy job {copyJobId} into {setup.BackupVaultArn}",
            run.Wait.Settings.BackupJobDeadline,
            async token =>
            {
                var job = (await run.Backup.DescribeCopyJobAsync(new DescribeCopyJobRequest { CopyJobId = copyJobId }, token).ConfigureAwait(false)).CopyJob!;
                if (CopyJobEnded.Contains(job.State ?? string.Empty))
                {
                    throw new BackupJobFailedException(
                        $"Copy job {copyJobId} of {recoveryPointArn} into {setup.BackupVaultArn} ended {job.State}: {job.StatusMessage} "
                        + "Run BackupPreflight: it checks the organization, cross-account backup, the source key's policy and the vault policy, in the order AWS's troubleshooting guide gives.");
                }

                return job.State == CopyJobState.Completed ? Probe<CopyJob>.Ready(job, job.State) : Probe<CopyJob>.NotYet(job, job.State ?? "unknown");
            },
            cancellationToken).ConfigureAwait(false);
        var copyStarted = Utc(copy.CreationDate) ?? Utc(copyStart.CreationDate) ?? copyStart.ServerDate;
        var copyCompleted = Utc(copy.CompletionDate);
        if (copyStarted is { } copying)
        {
            run.Journal.Mark("copy-job-started", copying);
        }

        if (copyCompleted is { } copied)
        {
            run.Journal.Mark("copy-job-completed", copied);
        }

        var copyArn = copy.DestinationRecoveryPointArn
            ?? throw new BackupJobFailedException($"Copy job {copyJobId} completed without naming its recovery point in the backup account.");

        using (var session = await BackupAccountSession.OpenAsync(run, roleArn, cancellationToken).ConfigureAwait(false))
        {
            RecoveryPointByBackupVault? listed = null;
            var points = session.Backup.ListRecoveryPointsByBackupVaultAllAsync(
                new ListRecoveryPointsByBackupVaultRequest { BackupVaultName = setup.BackupVaultName, ByResourceArn = setup.ClusterArn },
                cancellationToken);
            await foreach (var point in points.ConfigureAwait(false))
            {
                if (point.RecoveryPointArn == copyArn)
                {
                    listed = point;
                    break;
                }
            }

            // Each item read from AWS at the end; the copy's key is supplementary: the copy job completing into the vault is the proof.
            var checks = new Checks.Checklist();
            checks.Pass($"backup job {backupJobId} completed with recovery point {recoveryPointArn}");
            checks.Pass($"copy job {copyJobId} completed into {setup.BackupVaultArn}");
            checks.Check(
                listed?.Status == RecoveryPointStatus.Completed,
                $"recovery point {copyArn} is listed COMPLETED in vault {setup.BackupVaultName} of the backup account {setup.BackupAccount}",
                $"Copy job {copyJobId} completed, but recovery point {copyArn} is {(listed is null ? "not listed" : listed.Status)} in vault {setup.BackupVaultName} of the backup account {setup.BackupAccount}.");
            if (listed?.EncryptionKeyArn is { } key)
            {
                checks.Pass($"the copy is encrypted with {key}");
                run.Journal.Fact("backup-copy-encryption-key-arn", key);
            }
            else if (listed is not null)
            {
                checks.NotMeasuredBecause(
                    "the copy's encryption key",
                    $"the backup account's listing of {copyArn} names no EncryptionKeyArn.",
                    $"aws backup describe-recovery-point --backup-vault-name {setup.BackupVaultName} --recovery-point-arn {copyArn}, with the backup account's role {roleArn}.",
                    essential: false);
            }

            run.Journal.RecordChecks(Step, checks);
            if (!checks.AllPassed)
            {
                throw new BackupJobFailedException(string.Join(" ", checks.Blocking));
            }

            run.Journal.Fact("backup-copy-recovery-point-arn", copyArn);
            run.Journal.Add(Step, $"Recovery point {copyArn} of {setup.Cluster} is in vault {setup.BackupVaultName} of the backup account {setup.BackupAccount}.");
            return new BackupVerification(backupJobId, backupStarted, backupCompleted, recoveryPointArn, copyJobId, copyStarted, copyCompleted, copyArn, listed!.EncryptionKeyArn);
        }
    }

    private static DateTimeOffset? Utc(DateTime? time) =>
        time is { } value ? new DateTimeOffset(DateTime.SpecifyKind(value, DateTimeKind.Utc)) : null;
}
