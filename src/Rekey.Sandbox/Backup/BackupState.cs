using System.Text.Json;
using System.Text.Json.Nodes;
using Rekey.Sandbox.Core;
using Rekey.Sandbox.Core.Policies;
using Rekey.Sandbox.KeyManagementService;

namespace Rekey.Sandbox.Backup;

/// <summary>
/// Every AWS Backup resource of every account and region, and the jobs that run on the sandbox
/// clock. A copy job's checks run when the job runs, not when it starts, as in AWS: StartCopyJob
/// accepts the request and the job ends FAILED with a status message when the organization,
/// the keys or the vault policy do not allow the copy.
/// </summary>
public sealed class BackupState(SandboxClock clock, SandboxOrganizations organizations, KmsKeyStore keys) : IStatefulComponent, IClockDriven
{
    /// <summary>Sandbox time a backup job of an Aurora cluster takes (a cluster snapshot).</summary>
    public static readonly TimeSpan BackupJobDuration = TimeSpan.FromMinutes(5);

    /// <summary>Sandbox time a copy job takes.</summary>
    public static readonly TimeSpan CopyJobDuration = TimeSpan.FromMinutes(5);

    /// <summary>The actions the destination account needs on the source key to copy an encrypted recovery point.</summary>
    public static readonly IReadOnlyList<string> CopyKeyActions = ["kms:DescribeKey", "kms:Decrypt", "kms:ReEncryptFrom", "kms:GenerateDataKey", "kms:CreateGrant"];

    public const string DefaultVaultName = "Default";

    public string StateKey => "backup";

    public List<BackupVault> Vaults { get; private set; } = [];

    public List<BackupPlan> Plans { get; private set; } = [];

    public List<BackupSelection> Selections { get; private set; } = [];

    public List<RecoveryPoint> RecoveryPoints { get; private set; } = [];

    public List<BackupJob> BackupJobs { get; private set; } = [];

    public List<CopyJob> CopyJobs { get; private set; } = [];

    /// <summary>A vault of the account and region; the Default vault exists in every one (encrypted with aws/backup).</summary>
    public BackupVault? FindVault(string account, string region, string name)
    {
        var vault = Vaults.FirstOrDefault(v => v.Account == account && v.Region == region && v.Name == name);
        if (vault is null && name == DefaultVaultName)
        {
            var key = keys.AwsManagedKey(account, region, "backup");
            vault = new BackupVault
            {
                Account = account,
                Region = region,
                Name = DefaultVaultName,
                EncryptionKeyArn = key.Arn,
                EncryptionKeyManager = "AWS",
                CreationDate = clock.Now,
            };
            Vaults.Add(vault);
        }

        return vault;
    }

    /// <summary>A vault by ARN (arn:aws:backup:REGION:ACCOUNT:backup-vault:NAME).</summary>
    public BackupVault? FindVaultByArn(string arn)
    {
        var parts = arn.Split(':');
        return parts.Length == 7 && parts[2] == "backup" && parts[5] == "backup-vault" ? FindVault(parts[4], parts[3], parts[6]) : null;
    }

    public void AdvanceTo(DateTimeOffset now)
    {
        foreach (var job in DueJobs(BackupJobs, BackupJobDuration, now))
        {
            var point = RecoveryPoints.First(p => p.Arn == job.RecoveryPointArn);
            job.CompletionDate = job.DueAt;
            point.CompletionDate = job.DueAt;
            if (job.Outcome == "fail")
            {
                job.State = "FAILED";
                job.StatusMessage ??= "An internal error occurred while creating the snapshot of the Aurora cluster.";
                RecoveryPoints.Remove(point);
                continue;
            }

            job.State = "COMPLETED";
            point.Status = "COMPLETED";
        }

        foreach (var job in DueJobs(CopyJobs, CopyJobDuration, now))
        {
            RunCopy(job);
        }
    }

    /// <summary>
    /// The unfinished jobs whose end has come, one at a time; on the way, a hanging job and one past a fifth of its
    /// duration are marked RUNNING.
    /// </summary>
    private static IEnumerable<T> DueJobs<T>(List<T> jobs, TimeSpan duration, DateTimeOffset now)
        where T : BackupOrCopyJob
    {
        foreach (var job in jobs.Where(j => j.State is "CREATED" or "RUNNING").ToList())
        {
            if (job.Outcome == "hang")
            {
                job.State = "RUNNING";
                continue;
            }

            if (job.DueAt > now)
            {
                job.State = job.CreationDate.Add(duration / 5) <= now ? "RUNNING" : job.State;
                continue;
            }

            yield return job;
        }
    }

    /// <summary>
    /// The checks AWS makes for a copy, in the order of AWS's troubleshooting guide: one
    /// organization, cross-account backup on, the source key (customer managed, enabled, its
    /// policy letting the destination account use it), then the destination vault's policy.
    /// </summary>
    private void RunCopy(CopyJob job)
    {
        job.CompletionDate = job.DueAt;
        var source = RecoveryPoints.FirstOrDefault(p => p.Arn == job.SourceRecoveryPointArn);
        var destination = FindVaultByArn(job.DestinationBackupVaultArn);
        var sourceAccount = job.Account;
        var destinationAccount = job.DestinationBackupVaultArn.Split(':')[4];
        var failure = CopyFailure(job, source, destination, sourceAccount, destinationAccount);
        if (failure is not null)
        {
            job.State = "FAILED";
            job.StatusMessage = failure;
            return;
        }

        var crossAccount = sourceAccount != destinationAccount;

        // A cross-account copy is encrypted with the destination vault's key; Aurora keeps its
        // own key only within the account.
        var encryptionKey = crossAccount || source!.EncryptionKeyArn is null ? destination!.EncryptionKeyArn : source.EncryptionKeyArn;
        var copy = new RecoveryPoint
        {
            Account = destination!.Account,
            Region = destination.Region,
            Arn = $"arn:aws:rds:{destination.Region}:{destination.Account}:cluster-snapshot:awsbackup:copyjob-{job.Id.ToLowerInvariant()}",
            VaultName = destination.Name,
            ResourceArn = source!.ResourceArn,
            ResourceName = source.ResourceName,
            EncryptionKeyArn = encryptionKey,
            SourceBackupVaultArn = job.SourceBackupVaultArn,
            IamRoleArn = job.IamRoleArn,
            Status = "COMPLETED",
            CreationDate = job.CreationDate,
            CompletionDate = job.DueAt,
            Lifecycle = job.Lifecycle,
            BackupSizeInBytes = source.BackupSizeInBytes,
        };
        RecoveryPoints.Add(copy);
        job.State = "COMPLETED";
        job.DestinationRecoveryPointArn = copy.Arn;
        job.DestinationEncryptionKeyArn = encryptionKey;
        job.BackupSizeInBytes = source.BackupSizeInBytes;
    }

    private string? CopyFailure(CopyJob job, RecoveryPoint? source, BackupVault? destination, string sourceAccount, string destinationAccount)
    {
        if (job.Outcome == "fail")
        {
            return "An internal error occurred while copying the recovery point.";
        }

        if (source is null || source.Status != "COMPLETED")
        {
            return $"Recovery point {job.SourceRecoveryPointArn} is not available for copying.";
        }

        var crossAccount = sourceAccount != destinationAccount;
        if (crossAccount && OrganizationCopyFailure(sourceAccount, destinationAccount) is { } outsideOrganization)
        {
            return outsideOrganization;
        }

        if (destination is null)
        {
            return $"Backup vault {job.DestinationBackupVaultArn} does not exist.";
        }

        return crossAccount ? CrossAccountCopyFailure(source, destination, sourceAccount, destinationAccount) : null;
    }

    /// <summary>Why the organization does not let <paramref name="sourceAccount"/> copy into <paramref name="destinationAccount"/>, or null.</summary>
    private string? OrganizationCopyFailure(string sourceAccount, string destinationAccount)
    {
        // AWS's text, as a failed copy job reports it (AWS knowledge center article on
        // cross-account copy failures; aws-solutions-library-samples account-assessment PR 57):
        // the same whether an account is in no organization or the two are in different ones.
        var organization = organizations.Of(sourceAccount);
        if (organization is null || !organization.IsMember(destinationAccount))
        {
            return "Access denied: Copy job failed. Both source and destination account must be a member of the same organization";
        }

        // AWS does not document this text; the sandbox names the setting and who must change it.
        if (!organization.CrossAccountBackupEnabled)
        {
            return "Copy job failed. Cross-account backup is not enabled for the organization: the management account " +
                $"{organization.ManagementAccount} must turn on isCrossAccountBackupEnabled (UpdateGlobalSettings).";
        }

        return null;
    }

    /// <summary>Why the source's key or the destination vault keeps a copy from leaving the account, or null.</summary>
    private string? CrossAccountCopyFailure(RecoveryPoint source, BackupVault destination, string sourceAccount, string destinationAccount)
    {
        if (source.AwsOwnedKey)
        {
            // An AWS owned key belongs to AWS: no account can be let use it, so RDS in the destination
            // account cannot read the snapshot. AWS does not document the text; the sandbox names the key type.
            return "Copy job failed. The source recovery point is encrypted with an AWS owned key, which cannot be shared with another account: " +
                "re-create the DB cluster on a customer managed key first.";
        }

        if (source.EncryptionKeyArn is { } keyArn)
        {
            var key = keys.Resolve(sourceAccount, source.Region, keyArn);

            // The copy is made by RDS in the destination account, which must use the source key: an
            // AWS managed key cannot be shared, and a customer key must be enabled and its policy
            // must let the destination account use it. RDS's text for all of these
            // (awslabs/aurora-snapshot-tool issue 26) names the key and not the reason.
            var usable = key is { KeyManager: "CUSTOMER", KeyState: "Enabled" } &&
                CopyKeyActions.All(action =>
                    keys.Allows(key, keys.RequestFor(destinationAccount, roleArn: null, action, grantIsForAwsResource: action == "kms:CreateGrant")));
            if (!usable)
            {
                return $"The source snapshot KMS key [{keyArn}] does not exist, is not enabled or you do not have permissions to access it.";
            }
        }

        if (destination.Name == DefaultVaultName)
        {
            // The Default vault is encrypted with aws/backup, which another account cannot use.
            return "Copy job failed. Cross-account copies cannot use the destination account's Default backup vault; use a vault encrypted with a customer managed key.";
        }

        var request = keys.RequestFor(sourceAccount, roleArn: null, "backup:CopyIntoBackupVault");

        // The knowledge center's text for a vault policy that does not let the source in.
        return PolicyEvaluator.IsAllowed(destination.AccessPolicy, request) ? null : "Access Denied trying to call AWS Backup service";
    }

    public JsonNode Save() => JsonSerializer.SerializeToNode(
        new Saved(Vaults, Plans, Selections, RecoveryPoints, BackupJobs, CopyJobs),
        SandboxJson.Options)!;

    public void Load(JsonNode state)
    {
        var saved = state.Deserialize<Saved>(SandboxJson.Options) ?? throw new InvalidDataException("The Backup state is empty.");
        Vaults = saved.Vaults;
        Plans = saved.Plans;
        Selections = saved.Selections;
        RecoveryPoints = saved.RecoveryPoints;
        BackupJobs = saved.BackupJobs;
        CopyJobs = saved.CopyJobs;
    }

    private sealed record Saved(
        List<BackupVault> Vaults,
        List<BackupPlan> Plans,
        List<BackupSelection> Selections,
        List<RecoveryPoint> RecoveryPoints,
        List<BackupJob> BackupJobs,
        List<CopyJob> CopyJobs);
}
