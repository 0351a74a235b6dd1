using Rekey.Aws.RDS.Model;

namespace Rekey.Backup.Tests;

/// <summary>Each target of a run keeps its own report, so a later target does not erase an earlier one's evidence.</summary>
public sealed class RunReportFileTests
{
    [Fact]
    public async Task A_cutover_then_a_backup_leave_both_reports_with_the_outage_and_the_copy()
    {
        await using var world = await BackupWorld.StartAsync(ClusterKey.AwsManaged);
        using (var rds = world.Aws.CreateRds(BackupWorld.Region))
        {
            await rds.CreateDBInstanceAsync(new CreateDBInstanceRequest
            {
                DBInstanceIdentifier = "ledger-1",
                DBClusterIdentifier = BackupWorld.Cluster,
                Engine = "aurora-postgresql",
                DBInstanceClass = "db.r6g.large",
            });
            await Eventually.UntilAsync(async () =>
                (await rds.DescribeDBInstancesAsync(new DescribeDBInstancesRequest { DBInstanceIdentifier = "ledger-1" })).DBInstances![0].DBInstanceStatus == "available");
        }

        string[] cutoverArguments = ["--kms-key=alias/rekey-ledger", "--create-key", $"--dns-server=127.0.0.1:{world.Sandbox.DnsPort}"];
        var cutover = await world.RunAsync("Cutover", cutoverArguments);
        Assert.True(cutover.ExitCode == 0, cutover.Output);
        var backup = await world.RunAsync("Backup");
        Assert.True(backup.ExitCode == 0, backup.Output);

        var cutoverReport = BuildRun.ReportOf(cutover.ArtifactsDirectory, BackupWorld.Cluster, "Cutover");
        Assert.Equal("Cutover", cutoverReport["target"]!.GetValue<string>());
        Assert.True(cutoverReport["outageSeconds"]!.GetValue<double>() > 0, cutoverReport.ToJsonString());
        Assert.NotNull(cutoverReport["verification"]);
        Assert.Contains(cutoverReport["steps"]!.AsArray(), s => s!["step"]!.GetValue<string>() == "Fence");

        var backupReport = BuildRun.ReportOf(backup.ArtifactsDirectory, BackupWorld.Cluster, "Backup");
        Assert.Equal("Backup", backupReport["target"]!.GetValue<string>());
        Assert.Contains(backupReport["steps"]!.AsArray(), s => s!["step"]!.GetValue<string>() == "VerifyBackup");
        Assert.DoesNotContain(backupReport["steps"]!.AsArray(), s => s!["step"]!.GetValue<string>() == "Fence");
        var backupChecks = Assert.Single(backupReport["checks"]!.AsArray(), c => c!["step"]!.GetValue<string>() == "VerifyBackup")!["items"]!.AsArray();
        Assert.Contains(backupChecks, i => i!["outcome"]!.GetValue<string>() == "passed" && i["what"]!.GetValue<string>().StartsWith("recovery point ", StringComparison.Ordinal));
        Assert.All(backupChecks, i => Assert.NotEqual("failed", i!["outcome"]!.GetValue<string>()));
        Assert.True(File.Exists(Path.Combine(cutover.ArtifactsDirectory, "ledger-cutover-report.md")));
        Assert.True(File.Exists(Path.Combine(cutover.ArtifactsDirectory, "ledger-backup-report.md")));
    }
}
