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
            ?? throw new Configuration.InvalidArgumentsException(
                "VerifyBackup needs the backup account's role: give --backup-role-arn=arn:aws:iam::BACKUP_ACCOUNT:role/NAME.");

        var backup = await BackUpClusterAsync(run, setup, cancellationToken).ConfigureAwait(false);
        var copy = await CopyIntoBackupVaultAsync(run, setup, backup.RecoveryPointArn, cancellationToken).ConfigureAwait(false);
        var encryptionKeyArn = await CheckCopyIsListedAsync(run, setup, roleArn, backup, copy, cancellationToken).ConfigureAwait(false);
        return new BackupVerification(
            backup.JobId, backup.Started, backup.Completed, backup.RecoveryPointArn, copy.JobId, copy.Started, copy.Completed, copy.RecoveryPointArn, encryptionKeyArn);
    }

    /// <summary>The on-demand backup job of the cluster, started (or picked up again) and waited for.</summary>
    private static async Task<FinishedJob> BackUpClusterAsync(RekeyRun run, BackupSetup setup, CancellationToken cancellationToken)
    {
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

                return job.State == BackupJobState.Completed
                    ? Probe<DescribeBackupJobResponse>.Ready(job, job.State)
                    : Probe<DescribeBackupJobResponse>.NotYet(job, $"{job.State} {job.PercentDone}%");
            },
            cancellationToken).ConfigureAwait(false);
        var finished = new FinishedJob(
            backupJobId, backup.RecoveryPointArn!, Utc(backup.CreationDate) ?? Utc(started.CreationDate) ?? started.ServerDate, Utc(backup.CompletionDate));
        MarkTimes(run, "backup-job", finished);
        run.Journal.Fact("recovery-point-arn", finished.RecoveryPointArn);
        return finished;
    }

    /// <summary>The copy job of the recovery point into the backup account's vault, started (or picked up again) and waited for.</summary>
    private static async Task<FinishedJob> CopyIntoBackupVaultAsync(RekeyRun run, BackupSetup setup, string recoveryPointArn, CancellationToken cancellationToken)
    {
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
                        + "Run BackupPreflight: it checks the organization, cross-account backup, the source key's policy and the vault policy, "
                        + "in the order AWS's troubleshooting guide gives.");
                }

                return job.State == CopyJobState.Completed ? Probe<CopyJob>.Ready(job, job.State) : Probe<CopyJob>.NotYet(job, job.State ?? "unknown");
            },
            cancellationToken).ConfigureAwait(false);
        var started = Utc(copy.CreationDate) ?? Utc(copyStart.CreationDate) ?? copyStart.ServerDate;
        var completed = Utc(copy.CompletionDate);
        var finished = new FinishedJob(copyJobId, copy.DestinationRecoveryPointArn ?? string.Empty, started, completed);
        MarkTimes(run, "copy-job", finished);
        return copy.DestinationRecoveryPointArn is null
            ? throw new BackupJobFailedException($"Copy job {copyJobId} completed without naming its recovery point in the backup account.")
            : finished;
    }

    /// <summary>
    /// The copy read back from the backup account's vault listing, each item recorded; the copy's encryption key
    /// (supplementary: the copy job completing into the vault is the proof).
    /// </summary>
    private static async Task<string?> CheckCopyIsListedAsync(
        RekeyRun run, BackupSetup setup, string roleArn, FinishedJob backup, FinishedJob copy, CancellationToken cancellationToken)
    {
        var copyArn = copy.RecoveryPointArn;
        var listed = await FindInBackupVaultAsync(run, setup, roleArn, copyArn, cancellationToken).ConfigureAwait(false);

        // Each item read from AWS at the end; the copy's key is supplementary: the copy job completing into the vault is the proof.
        var checks = new Checks.Checklist();
        checks.Pass($"backup job {backup.JobId} completed with recovery point {backup.RecoveryPointArn}");
        checks.Pass($"copy job {copy.JobId} completed into {setup.BackupVaultArn}");
        var where = $"in vault {setup.BackupVaultName} of the backup account {setup.BackupAccount}";
        checks.Check(
            listed?.Status == RecoveryPointStatus.Completed,
            $"recovery point {copyArn} is listed COMPLETED {where}",
            $"Copy job {copy.JobId} completed, but recovery point {copyArn} is {(listed is null ? "not listed" : listed.Status)} {where}.");
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
        run.Journal.Add(Step, $"Recovery point {copyArn} of {setup.Cluster} is {where}.");
        return listed!.EncryptionKeyArn;
    }

    /// <summary>The copy as the backup account's vault lists it, read under the backup account's role; null when not listed.</summary>
    private static async Task<RecoveryPointByBackupVault?> FindInBackupVaultAsync(
        RekeyRun run, BackupSetup setup, string roleArn, string copyArn, CancellationToken cancellationToken)
    {
        using var session = await BackupAccountSession.OpenAsync(run, roleArn, cancellationToken).ConfigureAwait(false);
        var points = session.Backup.ListRecoveryPointsByBackupVaultAllAsync(
            new ListRecoveryPointsByBackupVaultRequest { BackupVaultName = setup.BackupVaultName, ByResourceArn = setup.ClusterArn },
            cancellationToken);
        await foreach (var point in points.ConfigureAwait(false))
        {
            if (point.RecoveryPointArn == copyArn)
            {
                return point;
            }
        }

        return null;
    }

    private static void MarkTimes(RekeyRun run, string job, FinishedJob finished)
    {
        if (finished.Started is { } started)
        {
            run.Journal.Mark($"{job}-started", started);
        }

        if (finished.Completed is { } completed)
        {
            run.Journal.Mark($"{job}-completed", completed);
        }
    }

    private static DateTimeOffset? Utc(DateTime? time) =>
        time is { } value ? new DateTimeOffset(DateTime.SpecifyKind(value, DateTimeKind.Utc)) : null;

    /// <summary>A job that completed: its id, the recovery point it made, and its times on AWS's clock.</summary>
    private sealed record FinishedJob(string JobId, string RecoveryPointArn, DateTimeOffset? Started, DateTimeOffset? Completed);
}
