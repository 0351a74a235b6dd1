using Rekey.SandboxRehearsal;

namespace Rekey.Backup.Tests;

/// <summary>The sandbox API's role seeding, which every backup world relies on.</summary>
public sealed class RoleSeedingTests
{
    [Fact]
    public async Task Seeding_a_role_again_under_its_ARN_is_accepted_and_under_another_path_is_refused()
    {
        await using var world = await BackupWorld.StartAsync();
        using var api = SandboxApi.For(world.Sandbox.BaseUrl);

        await api.CreateRoleAsync(BackupWorld.ServiceRoleArn, CancellationToken.None);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => api.CreateRoleAsync($"arn:aws:iam::{BackupWorld.SourceAccount}:role/AWSBackupDefaultServiceRole", CancellationToken.None));

        Assert.Contains(BackupWorld.ServiceRoleArn, error.Message, StringComparison.Ordinal);
    }
}
