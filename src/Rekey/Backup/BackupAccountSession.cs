using Amazon.KeyManagementService;
using Rekey.Aws.Backup;
using Rekey.Aws.Organizations;
using Rekey.Runtime;

namespace Rekey.Backup;

/// <summary>AWS Backup, KMS and Organizations in the backup account, through the role <c>--backup-role-arn</c> names.</summary>
public sealed class BackupAccountSession : IDisposable
{
    private BackupAccountSession(IAmazonBackup backup, IAmazonKeyManagementService kms, IAmazonOrganizations organizations, string assumedRoleArn)
    {
        Backup = backup;
        Kms = kms;
        Organizations = organizations;
        AssumedRoleArn = assumedRoleArn;
    }

    public IAmazonBackup Backup { get; }

    public IAmazonOrganizations Organizations { get; }

    public IAmazonKeyManagementService Kms { get; }

    /// <summary>The session STS issued, as CloudTrail in the backup account shows it.</summary>
    public string AssumedRoleArn { get; }

    /// <summary>Assumes the role with the run id in the session name, so the backup account's CloudTrail names the run.</summary>
    public static async Task<BackupAccountSession> OpenAsync(RekeyRun run, string roleArn, CancellationToken cancellationToken)
    {
        var sessionName = $"rekey-{run.RunId}";
        sessionName = sessionName.Length > 64 ? sessionName[..64] : sessionName;
        var (factory, response) = await run.Aws.AssumeRoleAsync(run.Region, roleArn, sessionName, cancellationToken: cancellationToken).ConfigureAwait(false);
        IAmazonBackup? backup = null;
        IAmazonKeyManagementService? kms = null;
        try
        {
            backup = factory.CreateBackup(run.Region);
            kms = factory.CreateKms(run.Region);
            return new BackupAccountSession(backup, kms, factory.CreateOrganizations(run.Region), response.AssumedRoleUser?.Arn ?? roleArn);
        }
        catch
        {
            // A client that cannot be made (a Region without a partition) must not leak the ones made before it.
            backup?.Dispose();
            kms?.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        Backup.Dispose();
        Kms.Dispose();
        Organizations.Dispose();
    }
}
