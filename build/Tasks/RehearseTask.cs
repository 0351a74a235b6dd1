using Amazon.Runtime;
using Cake.Core.Diagnostics;
using Cake.Frosting;
using Microsoft.Extensions.DependencyInjection;
using Rekey.Aws;
using Rekey.Aws.Backup.Model;
using Rekey.Aws.RDS.Model;
using Rekey.Aws.SNS.Model;
using Rekey.Rehearsal;
using Rekey.Sandbox;
using Rekey.Waiting;
using Spectre.Console;

namespace Rekey.Build.Tasks;

/// <summary>
/// A whole cutover with no AWS account: starts a sandbox in this process, seeds a sample account with an
/// application writing the whole time, runs Plan and Cutover for each sample cluster as the workflow
/// would, and proves that no acknowledged write was lost.
/// </summary>
[TaskName("Rehearse")]
[TaskDescription("Rehearses a cutover against a local sandbox: sample clusters, a writing application, Plan, Cutover, proof, then Backup.")]
public sealed class RehearseTask : AsyncFrostingTask<RekeyContext>
{
    private const string Region = "us-east-1";

    /// <summary>Sandbox seconds per real second: AWS's minutes pass in a tenth of a second.</summary>
    private const double ClockSpeed = 600;

    /// <summary>The sandbox organization's management account and the member account that receives backup copies.</summary>
    private const string ManagementAccount = "999999999999";
    private const string BackupAccount = "222222222222";

    public override async Task RunAsync(RekeyContext context)
    {
        var cancellationToken = CancellationToken.None;
        await using var sandbox = await SandboxServer.StartAsync(SandboxOptions.ForTests(ClockSpeed) with { DefaultRegion = Region }, cancellationToken);
        context.Log.Information("Sandbox on {0}, DNS on 127.0.0.1:{1}, clock at {2}x", sandbox.BaseUrl, sandbox.DnsPort, ClockSpeed);

        var aws = new AwsClientFactory(new AwsClientOptions
        {
            ServiceUrl = sandbox.BaseUrl.ToString().TrimEnd('/'),
            Credentials = new BasicAWSCredentials(SampleAccount.Account, "rehearsal"),
        });
        var region = Amazon.RegionEndpoint.GetBySystemName(Region);
        var wait = new Waiter(WaitSettings.Fast, TimeProvider.System, context.Logger);
        using var api = SandboxApi.For(sandbox.BaseUrl);

        using (var rds = aws.CreateRds(region))
        {
            context.Log.Information("Seeding the sample account: {0}", string.Join(", ", SampleAccount.Clusters.Select(c => $"{c.Id} ({c.Engine})")));
            await SampleAccount.SeedAsync(rds, wait, cancellationToken);
        }

        string topicArn;
        using (var sns = aws.CreateSns(region))
        {
            topicArn = (await sns.CreateTopicAsync(new CreateTopicRequest { Name = "rekey-rehearsal" }, cancellationToken)).TopicArn!;
        }

        // Cross-account backup is an organization setting only the management account may turn on, as in AWS.
        // The backup role needs no creating: the sandbox has no IAM and lets any role of an account be assumed.
        using (var management = aws.WithCredentials(new BasicAWSCredentials(ManagementAccount, "rehearsal")).CreateBackup(region))
        {
            await management.UpdateGlobalSettingsAsync(
                new UpdateGlobalSettingsRequest { GlobalSettings = new Dictionary<string, string> { ["isCrossAccountBackupEnabled"] = "true" } },
                cancellationToken);
        }

        var applications = new List<SimulatedApplication>();
        using (var rds = aws.CreateRds(region))
        {
            foreach (var sample in SampleAccount.Clusters)
            {
                var cluster = (await rds.DescribeDBClustersAsync(new DescribeDBClustersRequest { DBClusterIdentifier = sample.Id }, cancellationToken)).DBClusters![0];
                var application = new SimulatedApplication(api, sample.Id, cluster.Endpoint!, SampleAccount.Account, Region);
                application.Start();
                applications.Add(application);
            }
        }

        var audits = new List<WriteAudit>();
        try
        {
            foreach (var sample in SampleAccount.Clusters)
            {
                var arguments = new[]
                {
                    $"--cluster={sample.Id}",
                    $"--region={Region}",
                    $"--kms-key=alias/rekey-{sample.Id}",
                    "--create-key",
                    $"--backup-account={BackupAccount}",
                    $"--backup-role-arn=arn:aws:iam::{BackupAccount}:role/rekey-backup",
                    "--backup-vault=rekey-rehearsal",
                    $"--dns-server=127.0.0.1:{sandbox.DnsPort}",
                    $"--sns-topic-arn={topicArn}",
                    "--environment=rehearsal",
                    $"--run-id=rehearsal-{sample.Id}",
                    "--poll-interval=0.05s",
                    $"--artifacts={context.Settings.ArtifactsDirectory}",
                    $"--verbosity={context.Log.Verbosity}",
                };

                await RunChildAsync(context, aws, [.. arguments, "--target=Plan"]);
                await RunChildAsync(context, aws, [.. arguments, "--target=Cutover", $"--confirm={sample.Id}"]);
                await RunChildAsync(context, aws, [.. arguments, "--target=Backup", $"--confirm={sample.Id}"]);
            }
        }
        finally
        {
            foreach (var application in applications)
            {
                await application.StopAsync();
            }
        }

        foreach (var (sample, application) in SampleAccount.Clusters.Zip(applications))
        {
            audits.Add(await AuditAsync(api, aws, region, sample.Id, application, cancellationToken));
        }

        Show(audits, applications);
        var failed = audits.Where(a => !a.Passed).ToList();
        if (failed.Count > 0)
        {
            throw new InvalidOperationException(
                string.Join(Environment.NewLine, failed.Select(a => $"{a.Cluster}: {a.LostBeforeT1.Count} writes acknowledged before T1 are missing from the new cluster; {a.OldAfterT1.Count} writes went to the old cluster after T1.")));
        }
    }

    private static async Task RunChildAsync(RekeyContext context, IAwsClientFactory aws, string[] arguments)
    {
        context.Log.Information(string.Empty);
        context.Log.Information("./build.sh {0}", string.Join(' ', arguments.Where(a => !a.StartsWith("--verbosity", StringComparison.Ordinal))));
        var exitCode = await RekeyBuild.CreateHost()
            .ConfigureServices(services => services.AddSingleton(aws))
            .RunAsync(arguments);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"The rehearsal's run of {string.Join(' ', arguments)} failed (exit code {exitCode}); its output is above.");
        }
    }

    private static async Task<WriteAudit> AuditAsync(
        SandboxApi api, IAwsClientFactory aws, Amazon.RegionEndpoint region, string clusterId, SimulatedApplication application, CancellationToken cancellationToken)
    {
        using var rds = aws.CreateRds(region);
        var old = (await rds.DescribeDBClustersAsync(new DescribeDBClustersRequest { DBClusterIdentifier = clusterId + "-old" }, cancellationToken)).DBClusters![0];
        var t1 = DateTimeOffset.Parse(old.TagList!.First(t => t.Key == State.RekeyTags.T1).Value!, System.Globalization.CultureInfo.InvariantCulture);
        var sandboxClusters = await api.ClustersAsync(cancellationToken);
        var oldResource = sandboxClusters.First(c => c.Identifier == clusterId + "-old").ResourceId;
        var newWrites = await api.ClusterWritesAsync(SampleAccount.Account, region.SystemName, clusterId, cancellationToken);
        var @new = (await rds.DescribeDBClustersAsync(new DescribeDBClustersRequest { DBClusterIdentifier = clusterId }, cancellationToken)).DBClusters![0];
        var outage = Time(@new, State.RekeyTags.WriterAvailableAt) - Time(old, State.RekeyTags.FencedAt);
        return WriteAudit.Of(clusterId, application.Acknowledged, oldResource, t1, newWrites) with { Outage = outage };

        static DateTimeOffset? Time(DBCluster cluster, string tag) =>
            cluster.TagList?.FirstOrDefault(t => t.Key == tag)?.Value is { } text
                ? DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture)
                : null;
    }

    private static void Show(IReadOnlyList<WriteAudit> audits, IReadOnlyList<SimulatedApplication> applications)
    {
        static string Count(long value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var table = new Table()
            .Title("Rehearsal: the application's writes")
            .AddColumns("Cluster", "Outage (AWS time)", "Writes", "Acked", "Acked by old before T1", "Acked by new", "Lost", "Old after T1", "Result");
        foreach (var (audit, application) in audits.Zip(applications))
        {
            table.AddRow(
                audit.Cluster,
                audit.Outage is { } outage ? outage.ToString(@"hh\:mm\:ss", System.Globalization.CultureInfo.InvariantCulture) : "?",
                Count(application.Attempts),
                Count(audit.Acknowledged),
                Count(audit.AcknowledgedByOldBeforeT1),
                Count(audit.AcknowledgedByNew),
                Count(audit.LostBeforeT1.Count),
                Count(audit.OldAfterT1.Count),
                audit.Passed ? "[green]none lost[/]" : "[red]writes lost[/]");
        }

        AnsiConsole.Write(table);
    }
}
