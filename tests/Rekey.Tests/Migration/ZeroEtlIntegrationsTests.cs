using System.Diagnostics;
using Rekey.Aws.RDS.Model;
using Rekey.Migration;

namespace Rekey.Tests.Migration;

public sealed class ZeroEtlIntegrationsTests
{
    private const string NewSourceArn = "arn:aws:rds:eu-west-1:111111111111:cluster:orders";
    private const string TargetArn = "arn:aws:redshift-serverless:eu-west-1:111111111111:namespace/0e0f6a3c-5d7b-4f7e-9c1a-2b3c4d5e6f70";
    private const string KeyArn = "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    private static Integration Sample(string status = IntegrationStatus.Active) => new()
    {
        IntegrationName = "orders-analytics",
        IntegrationArn = "arn:aws:rds:eu-west-1:111111111111:integration:5b9e0c1d-2f3a-4b5c-8d7e-6f5a4b3c2d1e",
        SourceArn = "arn:aws:rds:eu-west-1:111111111111:cluster:orders",
        TargetArn = TargetArn,
        KMSKeyId = KeyArn,
        AdditionalEncryptionContext = new() { ["team"] = "analytics" },
        DataFilter = "include: orders.*, exclude: orders.customer_pii",
        Description = "Orders' tables for the finance team",
        Status = status,
        Tags = [new Tag { Key = "cost-center", Value = "42" }],
    };

    [Fact]
    public async Task The_create_command_carries_every_setting_of_the_integration_as_separate_shell_words()
    {
        var words = await ShellWordsAsync(ZeroEtlIntegrations.CreateCommand(Sample(), NewSourceArn));

        Assert.Equal(
            [
                "aws", "rds", "create-integration",
                "--source-arn", NewSourceArn,
                "--target-arn", TargetArn,
                "--integration-name", "orders-analytics",
                "--kms-key-id", KeyArn,
                "--additional-encryption-context", """{"team":"analytics"}""",
                "--data-filter", "include: orders.*, exclude: orders.customer_pii",
                "--description", "Orders' tables for the finance team",
                "--tags", """[{"Key":"cost-center","Value":"42"}]""",
            ],
            words);
    }

    [Fact]
    public void An_integration_AWS_may_delete_is_told_to_be_deleted_now_and_one_still_creating_to_wait_until_active()
    {
        var active = ZeroEtlIntegrations.Block(Sample(IntegrationStatus.Active), "orders", NewSourceArn);
        var creating = ZeroEtlIntegrations.Block(Sample(IntegrationStatus.Creating), "orders", NewSourceArn);
        var deleting = ZeroEtlIntegrations.Block(Sample(IntegrationStatus.Deleting), "orders", NewSourceArn);

        Assert.Contains("Before the window, delete it (aws rds delete-integration", active, StringComparison.Ordinal);
        Assert.Contains("wait until it is active, then delete it", creating, StringComparison.Ordinal);
        Assert.Contains("is being deleted; wait until it is gone", deleting, StringComparison.Ordinal);
        Assert.Contains("FROM INTEGRATION", active, StringComparison.Ordinal);
    }

    /// <summary>How bash splits the command into words (NUL-separated, so any character survives).</summary>
    private static async Task<IReadOnlyList<string>> ShellWordsAsync(string command)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in new[] { "-c", "eval \"set -- $1\"; printf '%s\\0' \"$@\"", "words", command })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.Equal(0, process.ExitCode);
        return output.Split('\0', StringSplitOptions.None)[..^1];
    }
}
