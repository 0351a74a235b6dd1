using Rekey.EndToEnd.Tests.Support;
using Rekey.Runtime;

namespace Rekey.EndToEnd.Tests;

/// <summary>Preflight with --terraform-plan against the sandbox: plan files as `terraform show -json` writes them.</summary>
public sealed class TerraformHandOffTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("rekey-tf-").FullName;

    private static string Plan(string formatVersion, string changes) => $$"""
        {
          "format_version": "{{formatVersion}}",
          "terraform_version": "1.9.8",
          "resource_changes": [ {{changes}} ]
        }
        """;

    private static string ClusterReplacedForItsKey(string afterKey) => $$"""
        {
          "address": "aws_rds_cluster.ledger",
          "mode": "managed",
          "type": "aws_rds_cluster",
          "name": "ledger",
          "provider_name": "registry.terraform.io/hashicorp/aws",
          "change": {
            "actions": ["delete", "create"],
            "before": { "cluster_identifier": "{{LedgerCluster.Id}}", "kms_key_id": "arn:aws:kms:{{LedgerCluster.Region}}:{{LedgerCluster.Account}}:key/aws-rds", "storage_encrypted": true },
            "after": { "cluster_identifier": "{{LedgerCluster.Id}}", "kms_key_id": "{{afterKey}}", "storage_encrypted": true },
            "after_unknown": { "arn": true },
            "replace_paths": [["kms_key_id"]]
          },
          "action_reason": "replace_because_cannot_update"
        }
        """;

    private string Write(string name, string text)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [ChaosSeeds]
    public async Task Preflight_refuses_a_plan_that_replaces_the_cluster_for_its_key_names_the_attribute_prints_the_fix_and_changes_nothing(long chaosSeed)
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
        var plan = Write("replace.json", Plan("1.2", ClusterReplacedForItsKey(LedgerCluster.KeyAlias)));

        var result = await sandbox.RunAsync(sandbox.Arguments("Preflight", "e2e-tf-replace", $"--terraform-plan={plan}"));

        Assert.True(result.ExitCode == ExitCodes.RefusedByPreflight, result.ToString());
        Assert.Empty(result.MutatingCalls);
        var words = System.Text.RegularExpressions.Regex.Replace(result.Output, @"\s+", " ");
        foreach (var expected in new[] { "Terraform would replace aws_rds_cluster.ledger (delete, create)", "because of kms_key_id", "kms_key_id", "Do not apply that plan" })
        {
            Assert.True(words.Contains(expected, StringComparison.Ordinal), $"missing '{expected}' in:{Environment.NewLine}{result}");
        }
    }

    [Theory]
    [ChaosSeeds]
    public async Task A_plan_that_touches_only_unrelated_resources_lets_Preflight_pass(long chaosSeed)
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
        var bucket = """
            { "address": "aws_s3_bucket.logs", "mode": "managed", "type": "aws_s3_bucket", "name": "logs",
              "provider_name": "registry.terraform.io/hashicorp/aws",
              "change": { "actions": ["delete", "create"], "before": { "bucket": "logs" }, "after": { "bucket": "logs-2" }, "after_unknown": {} } }
            """;
        var plan = Write("unrelated.json", Plan("1.2", bucket));

        var result = await sandbox.RunAsync(sandbox.Arguments("Preflight", "e2e-tf-unrelated", $"--terraform-plan={plan}"));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Preflight passed", result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [ChaosSeeds]
    public async Task After_the_cutover_Verify_fails_a_plan_that_would_replace_the_new_cluster_naming_the_key_ARN_to_write_and_passes_one_that_changes_nothing(long chaosSeed)
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(chaosSeed);
        var cutover = await sandbox.CutoverAsync("e2e-tf-after", null, "--strategy=restore-swap");
        Assert.True(cutover.ExitCode == 0, cutover.ToString());
        string newKey;
        using (var rds = sandbox.Aws.CreateRds(EndToEndSandbox.Region))
        {
            newKey = (await rds.DescribeDBClustersAsync(new Rekey.Aws.RDS.Model.DescribeDBClustersRequest { DBClusterIdentifier = LedgerCluster.Id })).DBClusters![0].KmsKeyId!;
        }

        // The configuration names the key by its alias: Terraform reads the alias as another value than the ARN and replaces the cluster.
        var aliasSpelling = Write("alias.json", Plan("1.2", ClusterReplacedForItsKey(LedgerCluster.KeyAlias).Replace($"arn:aws:kms:{LedgerCluster.Region}:{LedgerCluster.Account}:key/aws-rds", newKey, StringComparison.Ordinal)));
        var failed = await sandbox.RunAsync(sandbox.Arguments("Verify", "e2e-tf-after", "--exclusive", $"--terraform-plan={aliasSpelling}"));

        Assert.True(failed.ExitCode == ExitCodes.VerificationFailed, failed.ToString());
        Assert.Empty(failed.MutatingCalls);
        var words = System.Text.RegularExpressions.Regex.Replace(failed.Output, @"\s+", " ");
        Assert.True(words.Contains("Terraform would replace aws_rds_cluster.ledger (delete, create), destroying the new cluster itself", StringComparison.Ordinal), failed.ToString());
        Assert.True(words.Contains($"set kms_key_id = \"{newKey}\"", StringComparison.Ordinal), failed.ToString());

        var noChange = $$"""
            { "address": "aws_rds_cluster.ledger", "mode": "managed", "type": "aws_rds_cluster", "name": "ledger",
              "provider_name": "registry.terraform.io/hashicorp/aws",
              "change": { "actions": ["no-op"], "before": { "cluster_identifier": "{{LedgerCluster.Id}}", "kms_key_id": "{{newKey}}" }, "after": { "cluster_identifier": "{{LedgerCluster.Id}}", "kms_key_id": "{{newKey}}" }, "after_unknown": {} } }
            """;
        var passed = await sandbox.RunAsync(sandbox.Arguments("Verify", "e2e-tf-after", "--exclusive", $"--terraform-plan={Write("no-op.json", Plan("1.2", noChange))}"));

        Assert.True(passed.ExitCode == 0, passed.ToString());
        Assert.Contains("replaces and deletes none of ledger's resources", passed.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("missing", "does not exist")]
    [InlineData("not-json", "is not JSON")]
    [InlineData("format-2", "Rekey reads format 1.x only")]
    public async Task A_missing_malformed_or_other_format_plan_file_is_refused_as_bad_input_before_any_call(string kind, string expected)
    {
        await using var sandbox = await EndToEndSandbox.StartAsync(ChaosSeedsAttribute.Seeds[0]);
        var path = kind switch
        {
            "missing" => Path.Combine(_directory, "absent.json"),
            "not-json" => Write("plan.tfplan", "Terraform will perform the following actions:"),
            _ => Write("v2.json", Plan("2.0", ClusterReplacedForItsKey(LedgerCluster.KeyAlias))),
        };

        var result = await sandbox.RunAsync(sandbox.Arguments("Preflight", "e2e-tf-bad-" + kind, $"--terraform-plan={path}"));

        Assert.True(result.ExitCode == ExitCodes.InvalidArguments, result.ToString());
        Assert.Empty(result.MutatingCalls);
        Assert.Contains("--terraform-plan", result.Output, StringComparison.Ordinal);
        Assert.Contains(expected, result.Output, StringComparison.Ordinal);
    }
}
