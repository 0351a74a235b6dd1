using Rekey.Sandbox.Tests.KeyManagementService;

namespace Rekey.Sandbox.Tests.Backup;

public sealed class KmsBackupSnsStateFileTests : IDisposable
{
    private readonly string _stateFile = Path.Combine(Path.GetTempPath(), $"rekey-sandbox-{Guid.NewGuid():N}.json");

    public void Dispose() => File.Delete(_stateFile);

    [Fact]
    public async Task Keys_vaults_plans_topics_and_messages_survive_a_restart_with_a_state_file()
    {
        var options = SandboxOptions.ForTests(clockSpeed: 1) with { StateFile = _stateFile };
        string keyArn;
        string planId;
        string topicArn;
        await using (var first = await SandboxServer.StartAsync(options))
        await using (var session = new AwsCliSession())
        {
            var cli = new SessionCli(session, first.BaseUrl);
            keyArn = (await cli.CreateKeyAsync("--description", "kept"))["Arn"].Text();
            await cli.JsonAsync("kms", "create-alias", "--alias-name", "alias/kept", "--target-key-id", keyArn);
            await cli.JsonAsync("backup", "create-backup-vault", "--backup-vault-name", "kept-vault", "--encryption-key-arn", keyArn);
            planId = (await cli.JsonAsync("backup", "create-backup-plan", "--backup-plan", """{"BackupPlanName":"kept","Rules":[{"RuleName":"r","TargetBackupVaultName":"kept-vault"}]}"""))["BackupPlanId"].Text();
            topicArn = (await cli.JsonAsync("sns", "create-topic", "--name", "kept"))["TopicArn"].Text();
            await cli.JsonAsync("sns", "publish", "--topic-arn", topicArn, "--message", "kept message");
        }

        await using var second = await SandboxServer.StartAsync(options);
        await using var secondSession = new AwsCliSession();
        var again = new SessionCli(secondSession, second.BaseUrl);

        var key = await again.DescribeKeyAsync("alias/kept");
        var vault = await again.JsonAsync("backup", "describe-backup-vault", "--backup-vault-name", "kept-vault");
        var plan = await again.JsonAsync("backup", "get-backup-plan", "--backup-plan-id", planId);
        var messages = second.Get<Sandbox.SNS.SnsState>().MessagesOf(topicArn);

        Assert.Equal(keyArn, key["Arn"].Text());
        Assert.Equal("kept", key["Description"].Text());
        Assert.Equal(keyArn, vault["EncryptionKeyArn"].Text());
        Assert.Equal("kept", plan["BackupPlan"]!["BackupPlanName"].Text());
        Assert.Equal("kept message", Assert.Single(messages).Message);
    }
}
