using Rekey.Runtime;

namespace Rekey.Build.Tests.BadInput;

/// <summary>
/// Every kind of bad input, through the real host against the sandbox: the run fails (or, for a cluster
/// already on the key, succeeds doing nothing), says what to do, and makes no mutating AWS call.
/// </summary>
[Collection(BadInputCollection.Name)]
public sealed class BadInputTests(BadInputSandbox sandbox)
{
    private const string Cmk = "--kms-key=alias/cmk";

    /// <summary>Cutover of a cluster, confirmed, with the target key; the case adds what is wrong.</summary>
    private static string[] Cutover(string cluster, params string[] more) =>
        ["--target=Cutover", $"--cluster={cluster}", $"--confirm={cluster}", $"--region={BadInputSandbox.Region}", .. more];

    public static TheoryData<string, string[], string> PreflightBlocks() => new()
    {
        { "cluster missing", Cutover("nosuch", Cmk), "DB cluster nosuch does not exist in us-east-1 for this account. Check --cluster, --region" },
        { "cluster in another region", ["--target=Cutover", "--cluster=ledger", "--confirm=ledger", $"--region={BadInputSandbox.OtherRegion}", Cmk], "DB cluster ledger does not exist in us-west-2 for this account. Check --cluster, --region" },
        { "cluster not available", Cutover("busy", Cmk), "DB cluster busy is creating; wait until it is available." },
        { "pending modifications", Cutover("pending", Cmk), "has pending modifications; apply them" },
        { "global cluster member", Cutover("worldwide", Cmk), "member of global cluster worldwide-global; remove it from the global cluster first" },
        { "not Aurora", Cutover("multiaz", Cmk), "DB cluster multiaz runs mysql, not Aurora; Rekey migrates Aurora clusters only." },
        { "Aurora Serverless v1", Cutover("legacy", Cmk), "DB cluster legacy is Aurora Serverless v1, which point-in-time restore into a provisioned or Serverless v2 cluster does not cover; upgrade it to Serverless v2 first." },
        { "unencrypted", Cutover("plain", Cmk), "Blue/Green: DB cluster plain uses the default cluster parameter group default.aurora-postgresql16; Blue/Green needs a custom one" },
        { "no instances", Cutover("bare", Cmk), "has no instances; there is no writer to fence" },
        { "old cluster name over 63 characters", Cutover(BadInputSandbox.LongCluster, Cmk), "would be 64 characters; RDS allows 63. Give a shorter --old-suffix." },
        { "old cluster name taken", Cutover("taken", Cmk), "The old cluster's name taken-old is taken by another cluster. Give another --old-suffix" },
        { "old instance name taken", Cutover("crowded", Cmk), "old name crowded-1-old is taken by another instance. Give another --old-suffix." },
        { "managed master password", Cutover("vault", Cmk), "give --accept-new-master-secret" },
        { "no target key", Cutover("ledger"), "No target key: give --kms-key=" },
        { "target key missing", Cutover("ledger", "--kms-key=alias/no-such-key"), "--kms-key alias/no-such-key does not exist in us-east-1. Give an existing key, or add --create-key" },
        { "same-account key whose policy keeps this account out", Cutover("ledger", "--kms-key=alias/locked"), "this account's key policy does not let arn:aws:iam::111111111111:root describe the key" },
        { "same-account key whose policy denies RDS its grant", Cutover("ledger", "--kms-key=alias/no-grant"), "its key policy does not let arn:aws:iam::111111111111:root use the key through RDS (kms:CreateGrant); the restore would fail with KMSKeyNotAccessibleFault" },
        { "kept old cluster", Cutover("kept-old", Cmk), "DB cluster kept-old is the old cluster Rekey kept when it moved kept to a new key" },
        { "kept old cluster planned", ["--target=Plan", "--cluster=kept-old", $"--region={BadInputSandbox.Region}", Cmk], "it is not a cutover candidate. Work on --cluster=kept" },
        { "create-key without an alias", Cutover("ledger", "--kms-key=1234abcd-12ab-34cd-56ef-1234567890ab", "--create-key"), "--create-key needs an alias to create the key under" },
    };

    public static TheoryData<string, string[], string> MalformedArguments() => new()
    {
        { "cluster starting with a digit", ["--target=Preflight", "--cluster=1ledger"], "--cluster: '1ledger' is not a DB cluster identifier" },
        { "cluster with a double hyphen", ["--target=Preflight", "--cluster=led--ger"], "is not a DB cluster identifier: 1 to 63 letters" },
        { "cluster over 63 characters", ["--target=Preflight", "--cluster=" + new string('a', 64)], "is not a DB cluster identifier" },
        { "cluster without a value", ["--target=Preflight", "--cluster="], "Did you forget the option value?" },
        { "cluster given twice", ["--target=Preflight", "--cluster=ledger", "--cluster=plain"], "--cluster is given 2 times with different values" },
        { "region not a region code", ["--target=Preflight", "--cluster=ledger", "--region=mars"], "--region: 'mars' is not an AWS Region code such as eu-west-1" },
        { "regions list malformed", ["--target=Inventory", "--regions=eu-west-1,,moon"], "is not a comma-separated list of Regions" },
        { "kms key not a key reference", ["--target=Preflight", "--cluster=ledger", "--kms-key=my key"], "is not a KMS key: give a key id, a key ARN, alias/NAME or an alias ARN" },
        { "old suffix ending with a hyphen", ["--target=Preflight", "--cluster=ledger", "--old-suffix=-old-"], "cannot end a DB identifier" },
        { "backup account not 12 digits", ["--target=Preflight", "--cluster=ledger", "--backup-account=12345"], "--backup-account: '12345' is not an AWS account id (12 digits)." },
        { "backup vault Default", ["--target=Preflight", "--cluster=ledger", "--backup-vault=Default"], "the Default vault cannot receive cross-account copies" },
        { "backup role not a role ARN", ["--target=Preflight", "--cluster=ledger", "--backup-role-arn=backup-role"], "is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)" },
        { "sns topic not a topic ARN", ["--target=Preflight", "--cluster=ledger", "--sns-topic-arn=alerts"], "is not an SNS topic ARN" },
        { "dns server without a port", ["--target=Preflight", "--cluster=ledger", "--dns-server=resolver"], "is not host:port" },
        { "min age not a duration", ["--target=Preflight", "--cluster=ledger", "--min-age=soon"], "--min-age" },
        { "poll interval not a duration", ["--target=Preflight", "--cluster=ledger", "--poll-interval=often"], "--poll-interval" },
        { "max wait of zero", ["--target=Cutover", "--cluster=ledger", "--confirm=ledger", Cmk, "--max-wait=0m"], "--max-wait: '0m' is out of range: give from 1s to 1d." },
        { "min age beyond TimeSpan", ["--target=Cleanup", "--cluster=ledger", "--confirm=ledger", "--min-age=99999999999d"], "--min-age: '99999999999d' is out of range: give from 0s to 3650d." },
        { "exclusive on a composite target", ["--target=Cutover", "--exclusive", "--cluster=ledger", "--confirm=ledger", Cmk], "--exclusive runs only Cutover's own work, and Cutover has none" },
        { "run id with spaces", ["--target=Preflight", "--cluster=ledger", "--run-id=my run"], "cannot be a run id" },
        { "flag with a non-boolean value", ["--target=Preflight", "--cluster=ledger", "--create-key=maybe"], "is not true or false" },
        { "misspelt argument", ["--target=Preflight", "--clustr=ledger"], "Did you mean --cluster?" },
        { "unknown target", ["--target=Cutovr", "--cluster=ledger"], "Unknown target 'Cutovr'" },
        { "kms key without a value", Cutover("ledger", "--kms-key=", "--create-key"), "Did you forget the option value?" },
        { "a word that is no option", ["--target=Cutover", "ledger", "--cluster=ledger", "--confirm=ledger", Cmk], "Unknown command 'ledger'" },
        { "region the SDK does not know", ["--target=Cutover", "--cluster=ledger", "--confirm=ledger", "--region=us-east-9", Cmk], "--region: 'us-east-9' is not a Region the AWS SDK knows" },
        { "region with a non-ASCII digit", ["--target=Cutover", "--cluster=ledger", "--confirm=ledger", "--region=us-east-\u0661", Cmk], "--region: 'us-east-\u0661' holds the character U+0661" },
        { "max wait with non-ASCII digits", Cutover("ledger", "--kms-key=alias/fresh", "--create-key", "--max-wait=\u0663\u0660m"), "--max-wait: '\u0663\u0660m' holds the character U+0663" },
        { "backup account with non-ASCII digits", ["--target=Backup", "--cluster=ledger", "--confirm=ledger", $"--region={BadInputSandbox.Region}", "--backup-account=\u0662\u0662\u0662\u0662\u0662\u0662\u0662\u0662\u0662\u0662\u0662\u0662"], "--backup-account: " },
    };

    public static TheoryData<string> MutatingTargets() =>
        ["Cutover", "PrepareKey", "Fence", "Restore", "CreateInstances", "Finalize", "Rollback", "Cleanup", "Backup", "ConfigureBackup", "VerifyBackup"];

    [Theory]
    [MemberData(nameof(PreflightBlocks))]
    public async Task A_preflight_block_stops_the_cutover_before_any_change_and_says_what_to_do(string reason, string[] args, string message)
    {
        var run = await sandbox.RunAsync(args);

        AssertRefused(run, message, reason);
        Assert.True(run.ExitCode == ExitCodes.RefusedByPreflight, $"{reason}: exit code {run.ExitCode}\n{run.Output}");
    }

    [Fact]
    public async Task A_lock_Preflight_finds_held_by_another_run_exits_4_before_any_change_and_names_the_run()
    {
        var run = await sandbox.RunAsync(Cutover("held", Cmk));

        AssertRefused(run, "is locked by run run-of-someone-else (tag rekey:lock). Wait for that run, or if it died, resume it with --run-id=run-of-someone-else", "lock held");
        Assert.True(run.ExitCode == ExitCodes.ClusterLocked, run.Output);
    }

    [Fact]
    public async Task An_artifacts_folder_that_cannot_be_written_is_refused_with_exit_2_before_the_key_is_created_and_without_a_stack_trace()
    {
        var file = Path.GetTempFileName();
        try
        {
            var run = await sandbox.RunAsync(Cutover("ledger", "--kms-key=alias/never-created", "--create-key", $"--artifacts={Path.Combine(file, "reports")}"));

            AssertRefused(run, "--artifacts: cannot write to the folder", "unwritable artifacts");
            Assert.True(run.ExitCode == ExitCodes.InvalidArguments, run.Output);
            Assert.DoesNotContain("   at ", run.Output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [MemberData(nameof(MalformedArguments))]
    public async Task A_malformed_argument_fails_with_exit_2_before_any_AWS_call_and_names_the_fix(string reason, string[] args, string message)
    {
        var run = await sandbox.RunAsync(args);

        AssertRefused(run, message, reason);
        Assert.True(run.ExitCode == ExitCodes.InvalidArguments, $"{reason}: exit code {run.ExitCode}\n{run.Output}");
    }

    [Theory]
    [MemberData(nameof(MutatingTargets))]
    public async Task A_mutating_target_without_confirm_changes_nothing_and_asks_for_it(string target)
    {
        var run = await sandbox.RunAsync($"--target={target}", "--cluster=ledger", $"--region={BadInputSandbox.Region}", Cmk);

        AssertRefused(run, "Confirm by giving --confirm=ledger", target);
    }

    [Theory]
    [MemberData(nameof(MutatingTargets))]
    public async Task A_mutating_target_confirmed_for_another_cluster_changes_nothing(string target)
    {
        var run = await sandbox.RunAsync($"--target={target}", "--cluster=ledger", "--confirm=plain", $"--region={BadInputSandbox.Region}", Cmk);

        AssertRefused(run, "--confirm=plain does not name the cluster --cluster=ledger; nothing was done", target);
    }

    [Fact]
    public async Task A_disabled_target_key_is_refused()
    {
        var run = await sandbox.RunAsync(Cutover("ledger", $"--kms-key={sandbox.DisabledKeyArn}"));

        AssertRefused(run, "Disabled", "disabled key");
        Assert.Contains("enable", run.Output, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task The_AWS_managed_key_as_target_is_refused()
    {
        var run = await sandbox.RunAsync(Cutover("ledger", "--kms-key=alias/aws/rds"));

        AssertRefused(run, "customer managed key", "AWS managed key");
    }

    [Fact]
    public async Task An_asymmetric_target_key_is_refused()
    {
        var run = await sandbox.RunAsync(Cutover("ledger", $"--kms-key={sandbox.AsymmetricKeyArn}"));

        AssertRefused(run, "SYMMETRIC_DEFAULT", "asymmetric key");
    }

    [Fact]
    public async Task A_target_key_in_another_region_is_refused()
    {
        var run = await sandbox.RunAsync(Cutover("ledger", $"--kms-key={sandbox.OtherRegionKeyArn}"));

        AssertRefused(run, $"is in {BadInputSandbox.OtherRegion}, the cluster in {BadInputSandbox.Region}; RDS needs a key in the cluster's Region.", "key in another region");
        Assert.DoesNotContain("add --create-key", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_in_another_account_whose_policy_does_not_allow_this_account_is_refused()
    {
        var run = await sandbox.RunAsync(Cutover("ledger", $"--kms-key={sandbox.ForeignKeyArn}"));

        AssertRefused(run, $"must allow account {BadInputSandbox.Account}.", "foreign key without access");
    }

    [Fact]
    public async Task A_cluster_already_on_the_requested_key_succeeds_saying_there_is_nothing_to_do()
    {
        var run = await sandbox.RunAsync(Cutover("keyed", $"--kms-key={sandbox.KeyedClusterKeyArn}"));

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains($"keyed already uses {sandbox.KeyedClusterKeyArn}: nothing to do.", run.Output, StringComparison.Ordinal);
        Assert.True(run.MutatingCalls == 0, string.Join(", ", run.MutatingOperations));
    }

    [Fact]
    public async Task Every_block_of_a_cluster_is_reported_at_once()
    {
        var run = await sandbox.RunAsync(Cutover("vault", $"--kms-key={sandbox.DisabledKeyArn}"));

        AssertRefused(run, "--accept-new-master-secret", "several blocks");
        Assert.Contains("Disabled", run.Output, StringComparison.Ordinal);
    }

    private static void AssertRefused(CheckedRun run, string message, string reason)
    {
        Assert.True(run.ExitCode != 0, $"{reason}: exit code 0\n{run.Output}");
        Assert.True(run.Output.Contains(message, StringComparison.Ordinal), $"{reason}: the output does not say '{message}'\n{run.Output}");
        Assert.True(run.MutatingCalls == 0, $"{reason}: mutating calls {string.Join(", ", run.MutatingOperations)}");
    }
}
