using System.Text.Json.Nodes;
using Amazon;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Rekey.Aws;
using Rekey.Aws.Backup.Model;
using Rekey.Aws.RDS.Model;
using Rekey.Migration;
using Rekey.SandboxRehearsal;
using Rekey.Sandbox;
using Rekey.Sandbox.Core;
using Spectre.Console.Testing;

namespace Rekey.Backup.Tests;

/// <summary>How the test cluster is encrypted.</summary>
public enum ClusterKey
{
    /// <summary>A customer managed key whose policy lets the backup account use it.</summary>
    SharedWithBackupAccount,

    /// <summary>A customer managed key with KMS's default policy: only its own account.</summary>
    NotShared,

    /// <summary>The AWS managed key aws/rds.</summary>
    AwsManaged,

    /// <summary>An AWS owned key: created without a key or StorageEncrypted after 2026-02-18 (sse-rds).</summary>
    AwsOwned,

    /// <summary>Not encrypted (StorageEncrypted false, none).</summary>
    Unencrypted,
}

/// <summary>What one in-process run of the build printed and returned.</summary>
public sealed record BuildRun(int ExitCode, string Output, string ArtifactsDirectory, string Target)
{
    /// <summary>The report this run's target wrote: <c>CLUSTER-TARGET-report.json</c>, the target in kebab case.</summary>
    public JsonObject Report(string cluster) => ReportOf(ArtifactsDirectory, cluster, Target);

    public static JsonObject ReportOf(string artifacts, string cluster, string target) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(artifacts, $"{cluster}-{Kebab(target)}-report.json")))!.AsObject();

    private static string Kebab(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) && i > 0 ? $"-{char.ToLowerInvariant(c)}" : char.ToLowerInvariant(c).ToString()));
}

/// <summary>
/// A sandbox in this process with the organization of docs/sandbox.md (111111111111 holds the cluster,
/// 222222222222 receives copies, 999999999999 manages), a cluster, and the real build host to run targets against it.
/// </summary>
public sealed class BackupWorld : IAsyncDisposable
{
    public const string SourceAccount = "111111111111";
    public const string BackupAccount = "222222222222";
    public const string ManagementAccount = "999999999999";
    public const string Cluster = "ledger";
    public const string Vault = "ledger-copies";
    public const string BackupRoleArn = $"arn:aws:iam::{BackupAccount}:role/rekey-backup";

    /// <summary>The backup role's trust policy: the cluster account's credentials, the only caller a world has, may assume it.</summary>
    public static readonly string BackupRoleTrust = TrustPolicyFor(SourceAccount);

    /// <summary>AWS Backup's default service role in the cluster's account, which the tool uses unless told otherwise.</summary>
    public const string ServiceRoleArn = $"arn:aws:iam::{SourceAccount}:role/service-role/AWSBackupDefaultServiceRole";

    public static readonly RegionEndpoint Region = RegionEndpoint.USEast1;

    private readonly string _artifacts = Path.Combine(Path.GetTempPath(), "rekey-backup-tests-" + Guid.NewGuid().ToString("N"));

    private BackupWorld(SandboxServer sandbox)
    {
        Sandbox = sandbox;
        Aws = As(SourceAccount);
    }

    public SandboxServer Sandbox { get; }

    /// <summary>Clients with the cluster account's credentials, as the workflow's role would have.</summary>
    public IAwsClientFactory Aws { get; }

    public string ClusterArn => $"arn:aws:rds:us-east-1:{SourceAccount}:cluster:{Cluster}";

    public string BackupVaultArn => $"arn:aws:backup:us-east-1:{BackupAccount}:backup-vault:{Vault}";

    /// <summary>A trust policy that lets any principal of <paramref name="account"/> assume the role.</summary>
    public static string TrustPolicyFor(string account) =>
        $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{account}}:root"},"Action":"sts:AssumeRole"}]}""";

    /// <summary>
    /// Starts a world: the cluster on <paramref name="key"/>, cross-account backup on or off, AWS Backup's service
    /// role if <paramref name="serviceRole"/>, and the backup role with <paramref name="backupRoleTrust"/>
    /// (<see cref="BackupRoleTrust"/> when null).
    /// </summary>
    public static async Task<BackupWorld> StartAsync(
        ClusterKey key = ClusterKey.SharedWithBackupAccount, bool crossAccountBackup = true, bool serviceRole = true, string? backupRoleTrust = null)
    {
        var sandbox = await SandboxServer.StartAsync(SandboxOptions.ForTests(600));
        var world = new BackupWorld(sandbox);
        await world.CreateClusterAsync(key);

        // The sandbox, like AWS, has no role until someone creates it: not AWS Backup's service role,
        // nor the backup account's role, which STS assumes only when its trust policy allows the caller.
        using (var api = SandboxApi.For(sandbox.BaseUrl))
        {
            if (serviceRole)
            {
                await api.CreateRoleAsync(ServiceRoleArn, CancellationToken.None);
            }

            await api.CreateRoleAsync(BackupRoleArn, backupRoleTrust ?? BackupRoleTrust, CancellationToken.None);
        }

        if (crossAccountBackup)
        {
            await world.EnableCrossAccountBackupAsync();
        }

        sandbox.Calls.Clear();
        return world;
    }

    public IAwsClientFactory As(string account) => new AwsClientFactory(new AwsClientOptions
    {
        ServiceUrl = Sandbox.BaseUrl.ToString().TrimEnd('/'),
        Credentials = new BasicAWSCredentials(account, "sandbox"),
        MaxErrorRetry = 0,
    });

    /// <summary>What the management account of the organization does: UpdateGlobalSettings.</summary>
    public async Task EnableCrossAccountBackupAsync()
    {
        using var backup = As(ManagementAccount).CreateBackup(Region);
        await backup.UpdateGlobalSettingsAsync(new UpdateGlobalSettingsRequest { GlobalSettings = new() { ["isCrossAccountBackupEnabled"] = "true" } });
    }

    /// <summary>Runs a target of the real build host in this process, with the backup arguments and <paramref name="extra"/> ones.</summary>
    public async Task<BuildRun> RunAsync(string target, params string[] extra)
    {
        var defaults = new Dictionary<string, string>
        {
            ["cluster"] = Cluster,
            ["region"] = Region.SystemName,
            ["backup-account"] = BackupAccount,
            ["backup-role-arn"] = BackupRoleArn,
            ["backup-vault"] = Vault,
            ["run-id"] = "backup-test",
            ["poll-interval"] = "0.02s",
            ["max-poll-interval"] = "0.1s",
            ["clock-speed"] = "600",
            ["max-wait"] = "60s",
            ["artifacts"] = _artifacts,
            ["confirm"] = Cluster,
        };
        foreach (var argument in extra)
        {
            defaults.Remove(argument.TrimStart('-').Split('=')[0]);
        }

        var arguments = defaults.Select(d => $"--{d.Key}={d.Value}").Concat(extra).Append($"--target={target}").ToArray();
        var console = new TestConsole();
        console.Profile.Width = 400;
        var exitCode = await Build.RekeyBuild.CreateHost()
            .UseConsole(console)
            .ConfigureServices(services => services.AddSingleton(Aws))
            .RunAsync(arguments);
        return new BuildRun(exitCode, console.Output, _artifacts, target);
    }

    /// <summary>Calls that changed something; AssumeRole is left out because it creates nothing (the sandbox marks it mutating as it issues credentials).</summary>
    public IReadOnlyList<CallRecord> ChangingCalls() =>
        Sandbox.Calls.Find(mutating: true).Where(c => c.Service != "sts").ToList();

    public async Task<IReadOnlyList<RecoveryPointByBackupVault>> CopiesInBackupVaultAsync()
    {
        using var backup = As(BackupAccount).CreateBackup(Region);
        var response = await backup.ListRecoveryPointsByBackupVaultAsync(new ListRecoveryPointsByBackupVaultRequest { BackupVaultName = Vault });
        return response.RecoveryPoints ?? [];
    }

    public async ValueTask DisposeAsync()
    {
        await Sandbox.DisposeAsync();
        if (Directory.Exists(_artifacts))
        {
            Directory.Delete(_artifacts, recursive: true);
        }
    }

    private async Task CreateClusterAsync(ClusterKey key)
    {
        string? keyArn = null;
        if (key is not (ClusterKey.AwsManaged or ClusterKey.AwsOwned or ClusterKey.Unencrypted))
        {
            using var kms = Aws.CreateKms(Region);
            var created = await kms.CreateKeyAsync(new CreateKeyRequest
            {
                Description = "ledger storage key",
                Policy = key == ClusterKey.SharedWithBackupAccount ? KeyPolicies.ForNewKey("aws", SourceAccount, Region.SystemName, BackupAccount) : null,
            });
            keyArn = created.KeyMetadata.Arn;
        }

        using var rds = Aws.CreateRds(Region);
        await rds.CreateDBClusterAsync(new CreateDBClusterRequest
        {
            DBClusterIdentifier = Cluster,
            Engine = "aurora-postgresql",
            MasterUsername = "ledger_admin",
            MasterUserPassword = "test-only-password",
            StorageEncrypted = key switch { ClusterKey.AwsOwned => null, ClusterKey.Unencrypted => false, _ => true },
            KmsKeyId = keyArn,
        });
        await Eventually.UntilAsync(async () =>
            (await rds.DescribeDBClustersAsync(new DescribeDBClustersRequest { DBClusterIdentifier = Cluster })).DBClusters![0].Status == "available");
    }
}

/// <summary>Polls with a deadline instead of sleeping a fixed time.</summary>
public static class Eventually
{
    public static async Task UntilAsync(Func<Task<bool>> condition, double seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"The condition did not hold within {seconds} s.");
            await Task.Delay(20);
        }
    }
}
