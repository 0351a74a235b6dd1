using System.Text.Json;
using Amazon;
using Amazon.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Rekey.Aws;
using Rekey.Aws.RDS.Model;
using Rekey.Build.Tests.Host;
using Rekey.Fleet;
using Rekey.Sandbox;
using Rekey.Sandbox.Core;

namespace Rekey.Build.Tests.Inventory;

/// <summary>An account with clusters in two Regions: on aws/rds, on a customer key, unencrypted, and on an AWS owned key (created without a key, so sse-rds).</summary>
public sealed class InventorySandbox : IAsyncLifetime
{
    public const string Account = "111111111111";

    /// <summary>The Region of the one cluster whose key was deleted; the other tests do not scan it.</summary>
    public const string DeletedKeyRegion = "eu-central-1";

    public SandboxServer Sandbox { get; private set; } = null!;

    public IAwsClientFactory Aws { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Sandbox = await SandboxServer.StartAsync(SandboxOptions.ForTests(600));
        Aws = new AwsClientFactory(new AwsClientOptions
        {
            ServiceUrl = Sandbox.BaseUrl.ToString().TrimEnd('/'),
            Credentials = new BasicAWSCredentials(Account, "inventory"),
            MaxErrorRetry = 0,
        });
        var cmk = Sandbox.Runtime.Change(() => Sandbox.Keys.CreateCustomerKey(Account, "us-east-1", "alias/cmk", null)).Arn;

        (string Region, string Id, string Engine, bool? Encrypted, string? KmsKeyId)[] clusters =
        [
            ("us-east-1", "orders", "aurora-postgresql", true, null),
            ("us-east-1", "billing", "aurora-mysql", true, cmk),
            ("us-east-1", "scratch", "aurora-postgresql", false, null),
            ("us-east-1", "events", "aurora-postgresql", null, null),
            ("eu-west-1", "ledger", "aurora-mysql", true, null),
        ];
        foreach (var cluster in clusters)
        {
            await CreateClusterAsync(cluster.Region, cluster.Id, cluster.Engine, cluster.Encrypted, cluster.KmsKeyId);
        }

        // The old cluster a cutover kept for Rollback: still on aws/rds, tagged as the source of payments.
        using (var rds = Aws.CreateRds(RegionEndpoint.USEast1))
        {
            await rds.CreateDBClusterAsync(new CreateDBClusterRequest
            {
                DBClusterIdentifier = "payments-old",
                Engine = "aurora-postgresql",
                MasterUsername = "admin_user",
                MasterUserPassword = "inventory-only-password",
                StorageEncrypted = true,
                Tags = [new Tag { Key = Rekey.State.RekeyTags.Role, Value = Rekey.State.RekeyTags.SourceRole }, new Tag { Key = Rekey.State.RekeyTags.OriginalId, Value = "payments" }],
            });
        }

        // A cluster whose customer managed key was deleted (a week's waiting period, then gone): DescribeKey answers NotFound.
        using (var kms = Aws.CreateKms(RegionEndpoint.GetBySystemName(DeletedKeyRegion)))
        {
            var lostKey = await kms.CreateKeyAsync(new Amazon.KeyManagementService.Model.CreateKeyRequest());
            await CreateClusterAsync(DeletedKeyRegion, "lost", "aurora-postgresql", true, lostKey.KeyMetadata.Arn);
            await kms.ScheduleKeyDeletionAsync(new Amazon.KeyManagementService.Model.ScheduleKeyDeletionRequest { KeyId = lostKey.KeyMetadata.KeyId, PendingWindowInDays = 7 });
        }

        // Instances can be added only to available clusters; the sandbox's clock jumps past the creation (and the key's deletion).
        Sandbox.Clock.Advance(TimeSpan.FromDays(8));
        foreach (var cluster in clusters)
        {
            await CreateInstanceAsync(cluster.Region, cluster.Id, cluster.Engine);
        }
    }

    public Task<(HostRun Run, string Artifacts, int MutatingCalls)> RunAsync(params string[] args) =>
        RunAsync(new Dictionary<string, string?>(), args);

    /// <summary>A run whose Cake environment has <paramref name="environment"/> set, e.g. GitHub Actions' variables.</summary>
    public async Task<(HostRun Run, string Artifacts, int MutatingCalls)> RunAsync(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var artifacts = Path.Combine(Path.GetTempPath(), "rekey-inventory-" + Guid.NewGuid().ToString("N")[..8]);
        var before = Sandbox.Calls.Find(mutating: true).Count;
        var run = await HostRun.RunAsync(
            RekeyBuild.CreateHost().ConfigureServices(services =>
            {
                services.AddSingleton(Aws);
                EnvironmentWith.Register(services, environment);
            }),
            [.. args, $"--artifacts={artifacts}"]);
        return (run, artifacts, Sandbox.Calls.Find(mutating: true).Count - before);
    }

    public async Task DisposeAsync() => await Sandbox.DisposeAsync();

    private async Task CreateClusterAsync(string region, string id, string engine, bool? encrypted, string? kmsKeyId)
    {
        using var rds = Aws.CreateRds(RegionEndpoint.GetBySystemName(region));
        await rds.CreateDBClusterAsync(new CreateDBClusterRequest
        {
            DBClusterIdentifier = id,
            Engine = engine,
            MasterUsername = "admin_user",
            MasterUserPassword = "inventory-only-password",
            StorageEncrypted = encrypted,
            KmsKeyId = kmsKeyId,
        });
    }

    private async Task CreateInstanceAsync(string region, string id, string engine)
    {
        using var rds = Aws.CreateRds(RegionEndpoint.GetBySystemName(region));
        await rds.CreateDBInstanceAsync(new CreateDBInstanceRequest { DBInstanceIdentifier = id + "-1", DBClusterIdentifier = id, Engine = engine, DBInstanceClass = "db.r6g.large" });
    }
}

/// <summary>The Inventory target through the real host against the sandbox; its runs are serial because they count calls.</summary>
public sealed class InventoryTests(InventorySandbox fixture) : IClassFixture<InventorySandbox>
{
    private static IReadOnlyList<InventoryEntry> Read(string artifacts) =>
        InventoryResult.FromJson(File.ReadAllText(Path.Combine(artifacts, "inventory.json")));

    [Fact]
    public async Task Lists_clusters_on_the_AWS_managed_key_and_unencrypted_ones_across_the_Regions_and_leaves_customer_keys_out()
    {
        var (run, artifacts, mutating) = await fixture.RunAsync("--target=Inventory", "--regions=us-east-1,eu-west-1");

        Assert.True(run.ExitCode == 0, run.Output);
        var clusters = Read(artifacts);
        Assert.Equal(["events@us-east-1", "orders@us-east-1", "scratch@us-east-1", "ledger@eu-west-1"], clusters.Select(c => $"{c.Cluster}@{c.Region}"));
        var orders = clusters[1];
        Assert.Equal(("111111111111", "aurora-postgresql", "AWS", 1, true), (orders.Account, orders.Engine, orders.KeyManager, orders.Instances, orders.Encrypted));
        Assert.False(string.IsNullOrEmpty(orders.EngineVersion));
        Assert.StartsWith("arn:aws:kms:us-east-1:111111111111:key/", orders.KeyId, StringComparison.Ordinal);
        Assert.Equal(("sse-kms", orders.KeyId), (orders.StorageEncryptionType, orders.Key));
        Assert.Contains("aws/rds cannot be shared", orders.Backups, StringComparison.Ordinal);
        var scratch = clusters[2];
        Assert.False(scratch.Encrypted);
        Assert.Null(scratch.KeyManager);
        Assert.Equal(("none", "none"), (scratch.StorageEncryptionType, scratch.Key));
        Assert.Contains("Blue/Green", scratch.Note, StringComparison.Ordinal);
        Assert.Contains("can be copied to another account, but", scratch.Backups, StringComparison.Ordinal);
        Assert.Contains("ledger", run.Output, StringComparison.Ordinal);
        Assert.Equal(0, mutating);
    }

    [Fact]
    public async Task Lists_a_cluster_created_without_a_key_as_sse_rds_on_an_AWS_owned_key_whose_backups_cannot_leave_the_account()
    {
        var (run, artifacts, mutating) = await fixture.RunAsync("--target=Inventory", "--regions=us-east-1");

        Assert.True(run.ExitCode == 0, run.Output);
        var events = Assert.Single(Read(artifacts), c => c.Cluster == "events");
        Assert.True(events.Encrypted);
        Assert.Null(events.KeyId);
        Assert.Equal(("sse-rds", "AWS owned"), (events.StorageEncryptionType, events.Key));
        Assert.Contains("AWS owned key (sse-rds, Aurora's default since 2026-02-18) belongs to AWS and cannot be shared", events.Backups, StringComparison.Ordinal);
        Assert.Contains("sse-rds", run.Output, StringComparison.Ordinal);
        Assert.Equal(0, mutating);
    }

    [Fact]
    public async Task Names_every_cluster_it_leaves_out_with_the_reason_in_the_JSON_and_at_verbose()
    {
        var (run, artifacts, mutating) = await fixture.RunAsync("--target=Inventory", "--regions=us-east-1", "--verbosity=verbose");

        Assert.True(run.ExitCode == 0, run.Output);
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(artifacts, "inventory-left-out.json")));
        var leftOut = document.RootElement.EnumerateArray().ToDictionary(e => e.GetProperty("cluster").GetString()!, e => e.GetProperty("reason").GetString()!);
        Assert.Equal(["billing", "payments-old"], leftOut.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("already on a customer managed key of the account", leftOut["billing"], StringComparison.Ordinal);
        Assert.Contains("the old cluster Rekey kept when it moved payments", leftOut["payments-old"], StringComparison.Ordinal);
        Assert.Contains("Left out billing in us-east-1: left out, already on a customer managed key of the account", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(Read(artifacts), c => c.Cluster == "billing");
        Assert.Equal(0, mutating);
    }

    [Fact]
    public async Task A_cluster_whose_key_was_deleted_is_named_as_not_assessed_with_the_reason_and_the_scan_goes_on()
    {
        var (run, artifacts, mutating) = await fixture.RunAsync("--target=Inventory", $"--regions={InventorySandbox.DeletedKeyRegion},us-east-1");

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Equal(["events@us-east-1", "orders@us-east-1", "scratch@us-east-1"], Read(artifacts).Select(c => $"{c.Cluster}@{c.Region}"));
        Assert.Contains("lost: not assessed, its key", run.Output, StringComparison.Ordinal);
        using var leftOut = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(artifacts, "inventory-left-out.json")));
        var lost = Assert.Single(leftOut.RootElement.EnumerateArray(), e => e.GetProperty("cluster").GetString() == "lost");
        Assert.Equal(InventorySandbox.DeletedKeyRegion, lost.GetProperty("region").GetString());
        Assert.Contains("not assessed, its key", lost.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Contains("NotFound", lost.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, mutating);
    }

    [Fact]
    public async Task Skips_the_old_cluster_a_cutover_kept_and_names_the_cluster_it_belongs_to()
    {
        var (run, artifacts, mutating) = await fixture.RunAsync("--target=Inventory", "--regions=us-east-1");

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.DoesNotContain(Read(artifacts), c => c.Cluster == "payments-old");
        Assert.Contains("payments-old: skipped, the old cluster Rekey kept when it moved payments", run.Output, StringComparison.Ordinal);
        Assert.Equal(0, mutating);
    }

    [Fact]
    public async Task The_JSON_file_is_a_top_level_array_of_objects_with_the_matrix_keys()
    {
        var (run, artifacts, _) = await fixture.RunAsync("--target=Inventory", "--regions=eu-west-1");

        Assert.True(run.ExitCode == 0, run.Output);
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(artifacts, "inventory.json")));
        Assert.Equal(JsonValueKind.Array, document.RootElement.ValueKind);
        var entry = Assert.Single(document.RootElement.EnumerateArray());
        string[] keys = ["cluster", "region", "account", "engine", "engineVersion", "keyId", "keyManager", "instances", "encrypted"];
        Assert.All(keys, key => Assert.True(entry.TryGetProperty(key, out _), $"missing {key}: {entry}"));
        Assert.Equal(JsonValueKind.Number, entry.GetProperty("instances").ValueKind);
    }

    [Fact]
    public async Task All_scans_every_Region_of_the_credentials_partition()
    {
        var (run, artifacts, _) = await fixture.RunAsync("--target=Inventory", "--regions=all", "--region=us-east-1");

        Assert.True(run.ExitCode == 0, run.Output);
        var regions = Rekey.Fleet.Inventory.RegionsOfPartition("aws");
        Assert.Contains($"in {regions.Count} Region(s)", run.Output, StringComparison.Ordinal);
        Assert.Equal(["events", "ledger", "orders", "scratch"], Read(artifacts).Select(c => c.Cluster).Order(StringComparer.Ordinal));
        var rdsCalls = fixture.Sandbox.Calls.Find(service: "rds", operation: "DescribeDBClusters").Select(c => c.Region).ToHashSet(StringComparer.Ordinal);
        Assert.Superset(regions.ToHashSet(StringComparer.Ordinal), rdsCalls);
    }

    [Fact]
    public async Task A_Region_that_refuses_the_credentials_is_reported_and_skipped_and_the_others_are_listed()
    {
        // The first Region scanned answers as an opted-out Region does.
        fixture.Sandbox.Faults.Add(new FaultRule
        {
            Kind = FaultKind.Fail, Service = "rds", Operation = "DescribeDBClusters", ErrorCode = "AccessDenied", HttpStatus = 403,
            Message = "The security token included in the request is invalid.",
        });

        var (run, artifacts, _) = await fixture.RunAsync("--target=Inventory", "--regions=us-east-1,eu-west-1");

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("Skipped us-east-1:", run.Output, StringComparison.Ordinal);
        Assert.Contains("AccessDenied", run.Output, StringComparison.Ordinal);
        Assert.Equal(["ledger"], Read(artifacts).Select(c => c.Cluster));
    }

    private static Dictionary<string, string?> GitHubActions(string? output = null) => new()
    {
        ["GITHUB_ACTIONS"] = "true",
        ["GITHUB_OUTPUT"] = output,
        ["GITHUB_STEP_SUMMARY"] = null,
    };

    [Fact]
    public async Task Under_GitHub_Actions_the_matrix_step_output_is_appended_to_GITHUB_OUTPUT_as_one_line()
    {
        var output = Path.GetTempFileName();
        try
        {
            File.WriteAllText(output, "earlier=1\n");

            var (run, artifacts, _) = await fixture.RunAsync(GitHubActions(output), "--target=Inventory", "--regions=eu-west-1");

            Assert.True(run.ExitCode == 0, run.Output);
            var lines = File.ReadAllLines(output);
            Assert.Equal(2, lines.Length);
            Assert.Equal("earlier=1", lines[0]);
            Assert.StartsWith("matrix=", lines[1], StringComparison.Ordinal);
            Assert.Equal(Read(artifacts), InventoryResult.FromJson(lines[1]["matrix=".Length..]));
            Assert.Contains($"Step output matrix written to {output}", run.Output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(output);
        }
    }

    [Fact]
    public async Task Outside_GitHub_Actions_no_step_output_is_written_even_when_GITHUB_OUTPUT_is_set()
    {
        var output = Path.GetTempFileName();
        try
        {
            var environment = GitHubActions(output);
            environment["GITHUB_ACTIONS"] = null;

            var (run, _, _) = await fixture.RunAsync(environment, "--target=Inventory", "--regions=eu-west-1");

            Assert.True(run.ExitCode == 0, run.Output);
            Assert.Equal(string.Empty, File.ReadAllText(output));
            Assert.DoesNotContain("::group::", run.Output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(output);
        }
    }

    [Fact]
    public async Task Under_GitHub_Actions_each_step_is_a_group_in_the_hosts_output()
    {
        var (run, _, _) = await fixture.RunAsync(GitHubActions(), "--target=Inventory", "--regions=eu-west-1");

        Assert.True(run.ExitCode == 0, run.Output);
        var lines = run.Output.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var open = lines.IndexOf("::group::Inventory");
        var close = lines.IndexOf("::endgroup::");
        Assert.True(open >= 0 && close > open, run.Output);
        Assert.Contains(lines[open..close], l => l.Contains("ledger", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Under_GitHub_Actions_a_failed_step_is_one_error_annotation_with_its_title_and_message_escaped()
    {
        fixture.Sandbox.Faults.Add(new FaultRule
        {
            Kind = FaultKind.Fail, Service = "sts", Operation = "GetCallerIdentity", ErrorCode = "AccessDenied", HttpStatus = 403,
            Message = "Denied: 100% by policy\nsecond line",
        });

        var (run, _, _) = await fixture.RunAsync(GitHubActions(), "--target=Inventory", "--regions=eu-west-1");

        Assert.NotEqual(0, run.ExitCode);
        var lines = run.Output.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var error = Assert.Single(lines, l => l.StartsWith("::error ", StringComparison.Ordinal));
        Assert.StartsWith("::error title=Inventory failed::", error, StringComparison.Ordinal);
        Assert.Contains("Denied: 100%25 by policy%0Asecond line", error, StringComparison.Ordinal);
        Assert.Contains("::endgroup::", lines);
    }
}

/// <summary>The inventory's JSON and partitions, without AWS.</summary>
public sealed class InventoryResultTests
{
    [Fact]
    public void The_matrix_output_is_the_same_array_on_one_line()
    {
        var result = new InventoryResult
        {
            Account = "111111111111",
            Regions = ["us-east-1"],
            Clusters = [new InventoryEntry { Cluster = "orders", Region = "us-east-1", Account = "111111111111", Encrypted = true, KeyManager = "AWS", Instances = 3 }],
            Skipped = [],
        };

        var line = result.ToMatrixJson();

        Assert.DoesNotContain('\n', line);
        Assert.Equal(result.Clusters, InventoryResult.FromJson(line));
        Assert.Equal(InventoryResult.FromJson(result.ToJson()), InventoryResult.FromJson(line));
    }

    [Fact]
    public void Partitions_hold_their_own_Regions()
    {
        var aws = Rekey.Fleet.Inventory.RegionsOfPartition("aws");
        var china = Rekey.Fleet.Inventory.RegionsOfPartition("aws-cn");

        Assert.Contains("us-east-1", aws);
        Assert.Contains("eu-west-1", aws);
        Assert.DoesNotContain("cn-north-1", aws);
        Assert.Contains("cn-north-1", china);
        Assert.Equal("aws-us-gov", Rekey.Fleet.Inventory.PartitionOf("arn:aws-us-gov:iam::123456789012:user/ops"));
    }
}
