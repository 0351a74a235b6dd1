using System.Text.Json.Nodes;
using Rekey.Sandbox.Core;
using Rekey.Sandbox.Protocols;
using Rekey.Sandbox.RDS;

namespace Rekey.Sandbox.Backup;

// Backup jobs and copy jobs.
public sealed partial class BackupService
{
    private void RegisterJobOperations()
    {
        Register("PUT", "/backup-jobs", "StartBackupJob", mutating: true, StartBackupJob);
        Register("GET", "/backup-jobs/{backupJobId}", "DescribeBackupJob", mutating: false, DescribeBackupJob);
        Register("PUT", "/copy-jobs", "StartCopyJob", mutating: true, StartCopyJob);
        Register("GET", "/copy-jobs/{copyJobId}", "DescribeCopyJob", mutating: false, DescribeCopyJob);
        Register("GET", "/copy-jobs/", "ListCopyJobs", mutating: false, ListCopyJobs);
    }

    private RestJsonResponse StartBackupJob(AwsRequestContext request, RestJsonRequest r)
    {
        var (vault, cluster, role) = ValidateBackupJob(request, r);
        var token = String(r.Body, "IdempotencyToken");
        if (token is not null && _state.BackupJobs.FirstOrDefault(j => j.Account == request.Account && j.IdempotencyToken == token) is { } repeated)
        {
            return BackupJobStarted(repeated.Id, repeated.RecoveryPointArn, repeated.CreationDate);
        }

        var now = Runtime.Clock.Now;
        var outcome = Runtime.Faults.TakeAsyncOutcome("backup", "StartBackupJob") switch
        {
            FaultKind.FailAsync => "fail",
            FaultKind.HangAsync => "hang",
            _ => cluster.Status == "available" ? "succeed" : "fail",
        };
        var id = Guid.NewGuid().ToString("D").ToUpperInvariant();
        var lifecycle = r.Body["Lifecycle"]?.DeepClone() as JsonObject;
        CheckLifecycle(lifecycle);
        var point = new RecoveryPoint
        {
            Account = request.Account,
            Region = request.Region,
            Arn = $"arn:aws:rds:{request.Region}:{request.Account}:cluster-snapshot:awsbackup:job-{id.ToLowerInvariant()}",
            VaultName = vault.Name,
            ResourceArn = cluster.Arn,
            ResourceName = cluster.Identifier,

            // Aurora is not fully managed by AWS Backup: the snapshot keeps the cluster's own key.
            EncryptionKeyArn = cluster.StorageEncrypted ? cluster.KmsKeyId : null,
            AwsOwnedKey = cluster.StorageEncryptionType == "sse-rds",
            IamRoleArn = role,
            CreationDate = now,
            Lifecycle = lifecycle,
            BackupSizeInBytes = 1_073_741_824L + (cluster.Writes.Count * 4096L),
            Tags = StringMap(r.Body, "RecoveryPointTags"),
        };
        var job = BackupJobOf(point, vault, cluster, id, outcome, token);
        _state.RecoveryPoints.Add(point);
        _state.BackupJobs.Add(job);
        return BackupJobStarted(job.Id, point.Arn, now);
    }

    /// <summary>The vault, the Aurora cluster and the role a backup job names, each checked before anything is made.</summary>
    private (BackupVault Vault, DbCluster Cluster, string Role) ValidateBackupJob(AwsRequestContext request, RestJsonRequest r)
    {
        var vault = Vault(request, String(r.Body, "BackupVaultName") ?? throw MissingParameter("BackupVaultName"));
        var resourceArn = String(r.Body, "ResourceArn") ?? throw MissingParameter("ResourceArn");
        var role = String(r.Body, "IamRoleArn") ?? throw MissingParameter("IamRoleArn");
        CheckRoleArn(role);
        RequireRoleForJob(request, role);
        if (!resourceArn.StartsWith("arn:aws:rds:", StringComparison.Ordinal) || !resourceArn.Contains(":cluster:", StringComparison.Ordinal))
        {
            throw InvalidParameter($"Invalid resource ARN {resourceArn}: the sandbox backs up Aurora clusters, named by their cluster ARN.");
        }

        var cluster = _rds.FindCluster(request.Account, request.Region, resourceArn)
            ?? throw NotFound($"Resource {resourceArn} was not found.", resourceArn);
        return (vault, cluster, role);
    }

    /// <summary>The job that makes <paramref name="point"/>: it fails at its end when the cluster was not available at its start.</summary>
    private static BackupJob BackupJobOf(RecoveryPoint point, BackupVault vault, DbCluster cluster, string id, string outcome, string? token) => new()
    {
        Account = point.Account,
        Region = point.Region,
        Id = id,
        VaultName = vault.Name,
        VaultArn = vault.Arn,
        ResourceArn = cluster.Arn,
        ResourceName = cluster.Identifier,
        RecoveryPointArn = point.Arn,
        IamRoleArn = point.IamRoleArn,
        EncryptionKeyArn = point.EncryptionKeyArn,
        AwsOwnedKey = point.AwsOwnedKey,
        CreationDate = point.CreationDate,
        DueAt = point.CreationDate + BackupState.BackupJobDuration,
        Outcome = outcome,
        Lifecycle = point.Lifecycle,
        BackupSizeInBytes = point.BackupSizeInBytes,
        IdempotencyToken = token,
        StatusMessage = cluster.Status == "available" ? null : $"The DB cluster {cluster.Identifier} is not available (status {cluster.Status}).",
    };

    private static RestJsonResponse BackupJobStarted(string jobId, string recoveryPointArn, DateTimeOffset creationDate) =>
        RestJsonResponse.Ok(new JsonObject
        {
            ["BackupJobId"] = jobId,
            ["RecoveryPointArn"] = recoveryPointArn,
            ["CreationDate"] = Epoch(creationDate),
            ["IsParent"] = false,
        });

    private RestJsonResponse DescribeBackupJob(AwsRequestContext request, RestJsonRequest r)
    {
        var id = r.PathValue("backupJobId");
        var job = _state.BackupJobs.FirstOrDefault(j => j.Account == request.Account && j.Region == request.Region && j.Id == id)
            ?? throw NotFound($"Backup job {id} does not exist.", id);
        var json = new JsonObject
        {
            ["AccountId"] = job.Account,
            ["BackupJobId"] = job.Id,
            ["BackupVaultName"] = job.VaultName,
            ["BackupVaultArn"] = job.VaultArn,
            ["VaultType"] = "BACKUP_VAULT",
            ["RecoveryPointArn"] = job.RecoveryPointArn,
            ["IsEncrypted"] = job.EncryptionKeyArn is not null || job.AwsOwnedKey,
            ["ResourceArn"] = job.ResourceArn,
            ["CreationDate"] = Epoch(job.CreationDate),
            ["State"] = job.State,
            ["PercentDone"] = job.State == "COMPLETED" ? "100.0" : "0.0",
            ["BackupSizeInBytes"] = job.BackupSizeInBytes,
            ["IamRoleArn"] = job.IamRoleArn,
            ["ResourceType"] = "Aurora",
            ["ExpectedCompletionDate"] = Epoch(job.DueAt),
            ["StartBy"] = Epoch(job.CreationDate.AddHours(8)),
            ["BackupType"] = "SNAPSHOT",
            ["IsParent"] = false,
            ["ResourceName"] = job.ResourceName,
            ["InitiationDate"] = Epoch(job.CreationDate),
        };
        Set(json, "EncryptionKeyArn", job.EncryptionKeyArn);
        Set(json, "StatusMessage", job.State == "FAILED" ? job.StatusMessage : null);
        if (job.CompletionDate is { } completed)
        {
            json["CompletionDate"] = Epoch(completed);
        }

        if (job.Lifecycle is not null)
        {
            json["RecoveryPointLifecycle"] = job.Lifecycle.DeepClone();
        }

        return RestJsonResponse.Ok(json);
    }

    private RestJsonResponse StartCopyJob(AwsRequestContext request, RestJsonRequest r)
    {
        var pointArn = String(r.Body, "RecoveryPointArn") ?? throw MissingParameter("RecoveryPointArn");
        var sourceVault = Vault(request, String(r.Body, "SourceBackupVaultName") ?? throw MissingParameter("SourceBackupVaultName"));
        var destinationArn = String(r.Body, "DestinationBackupVaultArn") ?? throw MissingParameter("DestinationBackupVaultArn");
        var role = String(r.Body, "IamRoleArn") ?? throw MissingParameter("IamRoleArn");
        CheckRoleArn(role);
        RequireRoleForJob(request, role);
        if (!VaultArnPattern().IsMatch(destinationArn))
        {
            throw InvalidParameter($"Invalid destination backup vault ARN {destinationArn}.");
        }

        var point = _state.RecoveryPoints.FirstOrDefault(p => p.Arn == pointArn && p.Account == request.Account && p.Region == request.Region && p.VaultName == sourceVault.Name)
            ?? throw NotFound($"Recovery point {pointArn} does not exist in backup vault {sourceVault.Name}.", pointArn);
        if (point.Status != "COMPLETED")
        {
            throw InvalidRequest($"Recovery point {pointArn} is not completed (status {point.Status}) and cannot be copied yet.");
        }

        var token = String(r.Body, "IdempotencyToken");
        if (token is not null && _state.CopyJobs.FirstOrDefault(j => j.Account == request.Account && j.IdempotencyToken == token) is { } repeated)
        {
            return RestJsonResponse.Ok(new JsonObject { ["CopyJobId"] = repeated.Id, ["CreationDate"] = Epoch(repeated.CreationDate), ["IsParent"] = false });
        }

        var lifecycle = r.Body["Lifecycle"]?.DeepClone() as JsonObject;
        CheckLifecycle(lifecycle);
        var now = Runtime.Clock.Now;
        var job = new CopyJob
        {
            Account = request.Account,
            Region = request.Region,
            Id = Guid.NewGuid().ToString("D").ToUpperInvariant(),
            SourceBackupVaultArn = sourceVault.Arn,
            SourceRecoveryPointArn = point.Arn,
            DestinationBackupVaultArn = destinationArn,
            ResourceArn = point.ResourceArn,
            ResourceName = point.ResourceName,
            IamRoleArn = role,
            CreationDate = now,
            DueAt = now + BackupState.CopyJobDuration,
            Outcome = Runtime.Faults.TakeAsyncOutcome("backup", "StartCopyJob") switch
            {
                FaultKind.FailAsync => "fail",
                FaultKind.HangAsync => "hang",
                _ => "succeed",
            },
            Lifecycle = lifecycle,
            BackupSizeInBytes = point.BackupSizeInBytes,
            IdempotencyToken = token,
        };
        _state.CopyJobs.Add(job);
        return RestJsonResponse.Ok(new JsonObject { ["CopyJobId"] = job.Id, ["CreationDate"] = Epoch(now), ["IsParent"] = false });
    }

    private RestJsonResponse DescribeCopyJob(AwsRequestContext request, RestJsonRequest r)
    {
        var id = r.PathValue("copyJobId");
        var job = _state.CopyJobs.FirstOrDefault(j => j.Account == request.Account && j.Region == request.Region && j.Id == id)
            ?? throw NotFound($"Copy job {id} does not exist.", id);
        return RestJsonResponse.Ok(new JsonObject { ["CopyJob"] = CopyJobJson(job) });
    }

    private RestJsonResponse ListCopyJobs(AwsRequestContext request, RestJsonRequest r)
    {
        var resourceArn = r.Query["resourceArn"].ToString();
        var state = r.Query["state"].ToString();
        var destination = r.Query["destinationVaultArn"].ToString();
        var jobs = _state.CopyJobs
            .Where(j => j.Account == request.Account && j.Region == request.Region)
            .Where(j => resourceArn.Length == 0 || j.ResourceArn == resourceArn)
            .Where(j => state.Length == 0 || j.State == state)
            .Where(j => destination.Length == 0 || j.DestinationBackupVaultArn == destination)
            .OrderByDescending(j => j.CreationDate)
            .ToList();
        return Page(r, jobs, CopyJobJson, "CopyJobs");
    }

    private static JsonObject CopyJobJson(CopyJob job)
    {
        var json = new JsonObject
        {
            ["AccountId"] = job.Account,
            ["CopyJobId"] = job.Id,
            ["SourceBackupVaultArn"] = job.SourceBackupVaultArn,
            ["SourceRecoveryPointArn"] = job.SourceRecoveryPointArn,
            ["DestinationBackupVaultArn"] = job.DestinationBackupVaultArn,
            ["DestinationVaultType"] = "BACKUP_VAULT",
            ["ResourceArn"] = job.ResourceArn,
            ["CreationDate"] = Epoch(job.CreationDate),
            ["State"] = job.State,
            ["BackupSizeInBytes"] = job.BackupSizeInBytes,
            ["IamRoleArn"] = job.IamRoleArn,
            ["ResourceType"] = "Aurora",
            ["IsParent"] = false,
            ["ResourceName"] = job.ResourceName,
        };
        Set(json, "DestinationRecoveryPointArn", job.DestinationRecoveryPointArn);
        Set(json, "DestinationEncryptionKeyArn", job.DestinationEncryptionKeyArn);
        Set(json, "StatusMessage", job.StatusMessage);
        if (job.CompletionDate is { } completed)
        {
            json["CompletionDate"] = Epoch(completed);
        }

        if (job.Lifecycle is not null)
        {
            json["DestinationRecoveryPointLifecycle"] = job.Lifecycle.DeepClone();
        }

        return json;
    }
}
