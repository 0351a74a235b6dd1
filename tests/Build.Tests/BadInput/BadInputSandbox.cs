using System.Net.Http.Json;
using Amazon;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Rekey.Aws;
using Rekey.Aws.RDS;
using Rekey.Aws.RDS.Model;
using Rekey.Build.Tests.Host;
using Rekey.Sandbox;
using Rekey.Sandbox.Core;
using Rekey.State;
using Rekey.Waiting;

namespace Rekey.Build.Tests.BadInput;

/// <summary>What one run of the real host did: its exit code and output, and how many mutating AWS calls the sandbox served meanwhile.</summary>
public sealed record CheckedRun(int ExitCode, string Output, int MutatingCalls, IReadOnlyList<string> MutatingOperations);

/// <summary>
/// One sandbox, seeded once with a cluster for every reason Preflight refuses, and keys for every reason
/// a target key is refused. Runs go one at a time, so the mutating calls counted around a run are its own.
/// </summary>
public sealed class BadInputSandbox : IAsyncLifetime
{
    public const string Account = "111111111111";
    public const string OtherAccount = "222222222222";
    public const string Region = "us-east-1";
    public const string OtherRegion = "us-west-2";

    /// <summary>60 characters: with the default suffix -old its old name would be 64, one over RDS's limit.</summary>
    public const string LongCluster = "long-cluster-identifier-that-leaves-no-room-for-the-suffix-x";

    private readonly SemaphoreSlim _oneRunAtATime = new(1, 1);
    private readonly string _artifacts = Path.Combine(Path.GetTempPath(), "rekey-bad-input-" + Guid.NewGuid().ToString("N")[..8]);

    public SandboxServer Sandbox { get; private set; } = null!;

    public IAwsClientFactory Aws { get; private set; } = null!;

    public string CustomerKeyArn { get; private set; } = null!;

    public string DisabledKeyArn { get; private set; } = null!;

    public string AsymmetricKeyArn { get; private set; } = null!;

    public string OtherRegionKeyArn { get; private set; } = null!;

    public string ForeignKeyArn { get; private set; } = null!;

    public string KeyedClusterKeyArn { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Sandbox = await SandboxServer.StartAsync(SandboxOptions.ForTests(600) with { DefaultRegion = Region });
        Aws = new AwsClientFactory(new AwsClientOptions
        {
            ServiceUrl = Sandbox.BaseUrl.ToString().TrimEnd('/'),
            Credentials = new BasicAWSCredentials(Account, "bad-input"),
            MaxErrorRetry = 0,
        });

        var keys = Sandbox.Keys;
        CustomerKeyArn = Sandbox.Runtime.Change(() => keys.CreateCustomerKey(Account, Region, "alias/cmk", null)).Arn;
        var disabled = Sandbox.Runtime.Change(() => keys.CreateCustomerKey(Account, Region, "alias/disabled", null));
        DisabledKeyArn = Sandbox.Runtime.Change(() => keys.SetKeyState(Account, Region, disabled.KeyId, "Disabled")).Arn;
        OtherRegionKeyArn = Sandbox.Runtime.Change(() => keys.CreateCustomerKey(Account, OtherRegion, "alias/west", null)).Arn;
        ForeignKeyArn = Sandbox.Runtime.Change(() => keys.CreateCustomerKey(OtherAccount, Region, "alias/foreign", null)).Arn;
        KeyedClusterKeyArn = Sandbox.Runtime.Change(() => keys.CreateCustomerKey(Account, Region, "alias/keyed", null)).Arn;
        using (var kms = Aws.CreateKms(RegionEndpoint.GetBySystemName(Region)))
        {
            var created = await kms.CreateKeyAsync(new CreateKeyRequest { KeySpec = KeySpec.RSA_2048, KeyUsage = KeyUsageType.SIGN_VERIFY });
            AsymmetricKeyArn = created.KeyMetadata.Arn;

            // Same-account keys whose policies do not let this account's principals use them through RDS.
            foreach (var (alias, policy) in new[] { ("alias/locked", OnlyRolePolicy), ("alias/no-grant", NoGrantPolicy) })
            {
                var key = await kms.CreateKeyAsync(new CreateKeyRequest());
                await kms.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = key.KeyMetadata.KeyId });
                await kms.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = key.KeyMetadata.KeyId, PolicyName = "default", Policy = policy, BypassPolicyLockoutSafetyCheck = true });
            }
        }

        using var rds = Aws.CreateRds(RegionEndpoint.GetBySystemName(Region));
        var wait = new Waiter(WaitSettings.Fast, TimeProvider.System, NullLogger.Instance);
        await CreateClusterAsync(rds, wait, "ledger", ["ledger-1"]);
        await CreateClusterAsync(rds, wait, "plain", ["plain-1"], encrypted: false);
        await CreateClusterAsync(rds, wait, "taken", ["taken-1"]);
        await CreateClusterAsync(rds, wait, "taken-old", []);
        await CreateClusterAsync(rds, wait, "crowded", ["crowded-1"]);
        await CreateClusterAsync(rds, wait, "spare", ["crowded-1-old"]);
        await CreateClusterAsync(rds, wait, LongCluster, ["long-1"]);
        await CreateClusterAsync(rds, wait, "worldwide", ["worldwide-1"]);
        await CreateClusterAsync(rds, wait, "vault", ["vault-1"], manageSecret: true);
        await CreateClusterAsync(rds, wait, "keyed", ["keyed-1"], kmsKeyId: KeyedClusterKeyArn);
        await CreateClusterAsync(rds, wait, "held", ["held-1"]);
        await CreateClusterAsync(rds, wait, "bare", []);
        await CreateClusterAsync(rds, wait, "pending", ["pending-1"]);
        await CreateClusterAsync(rds, wait, "multiaz", ["multiaz-1"]);
        await CreateClusterAsync(rds, wait, "legacy", ["legacy-1"]);
        await CreateClusterAsync(rds, wait, "kept-old", ["kept-1-old"]);

        // The sandbox's API creates Aurora provisioned clusters only; a Multi-AZ DB cluster (engine mysql) and
        // an Aurora Serverless v1 cluster are made by changing its state in-process, as AWS would describe them.
        var state = Sandbox.Get<Rekey.Sandbox.RDS.RdsState>();
        Sandbox.Runtime.Change(() => state.FindCluster(Account, Region, "multiaz")!.Engine = "mysql");
        Sandbox.Runtime.Change(() => state.FindCluster(Account, Region, "legacy")!.EngineMode = "serverless");

        var held = await rds.DescribeDBClustersAsync(new DescribeDBClustersRequest { DBClusterIdentifier = "held" });
        await rds.AddTagsToResourceAsync(new AddTagsToResourceRequest
        {
            ResourceName = held.DBClusters![0].DBClusterArn,
            Tags = [new Rekey.Aws.RDS.Model.Tag { Key = RekeyTags.Lock, Value = "run-of-someone-else" }],
        });

        // The old cluster a finished cutover of "kept" left behind, as its tags say.
        var kept = await rds.DescribeDBClustersAsync(new DescribeDBClustersRequest { DBClusterIdentifier = "kept-old" });
        await rds.AddTagsToResourceAsync(new AddTagsToResourceRequest
        {
            ResourceName = kept.DBClusters![0].DBClusterArn,
            Tags =
            [
                new Rekey.Aws.RDS.Model.Tag { Key = RekeyTags.Role, Value = RekeyTags.SourceRole },
                new Rekey.Aws.RDS.Model.Tag { Key = RekeyTags.OriginalId, Value = "kept" },
            ],
        });

        // A rename without ApplyImmediately waits for a maintenance window, which the sandbox never runs.
        await rds.ModifyDBClusterAsync(new ModifyDBClusterRequest { DBClusterIdentifier = "pending", NewDBClusterIdentifier = "pending-renamed", ApplyImmediately = false });

        using (var http = new HttpClient { BaseAddress = Sandbox.BaseUrl })
        {
            using var response = await http.PostAsJsonAsync("/_sandbox/rds/global-clusters", new { identifier = "worldwide-global", members = new[] { "worldwide" } });
            response.EnsureSuccessStatusCode();
        }

        // The next cluster never finishes creating: it stays in status creating.
        Sandbox.Faults.Add(new FaultRule { Kind = FaultKind.HangAsync, Service = "rds", Operation = "CreateDBCluster" });
        await rds.CreateDBClusterAsync(ClusterRequest("busy", encrypted: true, kmsKeyId: null, manageSecret: false));
    }

    /// <summary>Runs the real Rekey host against the sandbox and counts the mutating AWS calls it made.</summary>
    public async Task<CheckedRun> RunAsync(params string[] args)
    {
        await _oneRunAtATime.WaitAsync();
        try
        {
            var before = Sandbox.Calls.Find(mutating: true).Count;
            var run = await HostRun.RunAsync(
                RekeyBuild.CreateHost().ConfigureServices(services => services.AddSingleton(Aws)),
                [.. args, .. args.Any(a => a.StartsWith("--artifacts=", StringComparison.Ordinal)) ? [] : new[] { $"--artifacts={_artifacts}" }, "--poll-interval=0.05s", "--clock-speed=600"]);
            var mutating = Sandbox.Calls.Find(mutating: true).Skip(before).Select(c => $"{c.Service}:{c.Operation}").ToList();
            return new CheckedRun(run.ExitCode, run.Output, mutating.Count, mutating);
        }
        finally
        {
            _oneRunAtATime.Release();
        }
    }

    public async Task DisposeAsync()
    {
        await Sandbox.DisposeAsync();
        _oneRunAtATime.Dispose();
        if (Directory.Exists(_artifacts))
        {
            Directory.Delete(_artifacts, recursive: true);
        }
    }

    /// <summary>Only a key administrator role may use the key: this account's root (and so its principals) may not even describe it.</summary>
    private static string OnlyRolePolicy => $$"""
        {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{Account}}:role/key-admin"},"Action":"kms:*","Resource":"*"}]}
        """;

    /// <summary>The account administers the key, but a Deny takes kms:CreateGrant away: RDS could not create its grant.</summary>
    private static string NoGrantPolicy => $$"""
        {"Version":"2012-10-17","Statement":[
          {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{Account}}:root"},"Action":"kms:*","Resource":"*"},
          {"Effect":"Deny","Principal":"*","Action":"kms:CreateGrant","Resource":"*"}]}
        """;

    private static CreateDBClusterRequest ClusterRequest(string id, bool encrypted, string? kmsKeyId, bool manageSecret) => new()
    {
        DBClusterIdentifier = id,
        Engine = "aurora-postgresql",
        MasterUsername = "app_admin",
        MasterUserPassword = manageSecret ? null : "bad-input-only-password",
        ManageMasterUserPassword = manageSecret ? true : null,
        StorageEncrypted = encrypted,
        KmsKeyId = kmsKeyId,
    };

    private static async Task CreateClusterAsync(
        IAmazonRDS rds, Waiter wait, string id, string[] instances, bool encrypted = true, string? kmsKeyId = null, bool manageSecret = false)
    {
        await rds.CreateDBClusterAsync(ClusterRequest(id, encrypted, kmsKeyId, manageSecret));
        await wait.UntilAsync($"{id} available", TimeSpan.FromHours(1), async token =>
        {
            var status = (await rds.DescribeDBClustersAsync(new DescribeDBClustersRequest { DBClusterIdentifier = id }, token)).DBClusters![0].Status;
            return status == "available" ? Probe<bool>.Ready(true, status) : Probe<bool>.NotYet(false, status ?? "unknown");
        }, CancellationToken.None);

        foreach (var instance in instances)
        {
            await rds.CreateDBInstanceAsync(new CreateDBInstanceRequest
            {
                DBInstanceIdentifier = instance,
                DBClusterIdentifier = id,
                Engine = "aurora-postgresql",
                DBInstanceClass = "db.r6g.large",
            });
        }

        // Preflight does not wait for instances; creating ones are enough for names and counts.
    }
}

[CollectionDefinition(Name)]
public sealed class BadInputCollection : ICollectionFixture<BadInputSandbox>
{
    public const string Name = "Bad input against one sandbox";
}
