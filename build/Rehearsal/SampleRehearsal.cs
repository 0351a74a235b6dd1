using Amazon.Runtime;
using Cake.Core.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Rekey.Aws;
using Rekey.Aws.Backup.Model;
using Rekey.Aws.RDS.Model;
using Rekey.Aws.SNS.Model;
using Rekey.Rehearsal;
using Rekey.Sandbox;
using Rekey.Waiting;
using Spectre.Console;

namespace Rekey.Build.Rehearsal;

/// <summary>
/// One rehearsal: a sandbox in this process, the sample account seeded with an application writing the
/// whole time, then Plan, Cutover and Backup for each sample cluster as the workflow runs them, and the
/// audit of the application's writes. The sandbox lives until disposal, so its records can be read afterwards.
/// </summary>
public sealed class SampleRehearsal : IAsyncDisposable
{
    public const string Region = "us-east-1";

    /// <summary>Sandbox seconds per real second: AWS's minutes pass in a tenth of a second.</summary>
    public const double ClockSpeed = 600;

    /// <summary>The sandbox organization's management account and the member account that receives backup copies.</summary>
    private const string ManagementAccount = "999999999999";
    private const string BackupAccount = SampleAccount.BackupAccount;

    private readonly SandboxApi _api;
    private readonly string _topicArn;

    private SampleRehearsal(SandboxServer sandbox, SandboxOptions options, IAwsClientFactory aws, SandboxApi api, string topicArn, IReadOnlyList<SimulatedApplication> applications)
    {
        Sandbox = sandbox;
        Options = options;
        Aws = aws;
        _api = api;
        _topicArn = topicArn;
        Applications = applications;
    }

    public SandboxServer Sandbox { get; }

    /// <summary>The options the sandbox was started with (its durations of AWS operations among them).</summary>
    public SandboxOptions Options { get; }

    public IAwsClientFactory Aws { get; }

    public static Amazon.RegionEndpoint RegionEndpoint => Amazon.RegionEndpoint.GetBySystemName(Region);

    public IReadOnlyList<SimulatedApplication> Applications { get; }

    /// <summary>Starts the sandbox, seeds the sample account and starts each cluster's application.</summary>
    public static async Task<SampleRehearsal> StartAsync(RekeyContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = SandboxOptions.ForTests(ClockSpeed) with { DefaultRegion = Region };
        var sandbox = await SandboxServer.StartAsync(options, cancellationToken);
        context.Log.Information("Sandbox on {0}, DNS on 127.0.0.1:{1}, clock at {2}x", sandbox.BaseUrl, sandbox.DnsPort, ClockSpeed);

        var aws = new AwsClientFactory(new AwsClientOptions
        {
            ServiceUrl = sandbox.BaseUrl.ToString().TrimEnd('/'),
            Credentials = new BasicAWSCredentials(SampleAccount.Account, "rehearsal"),
        });
        var region = RegionEndpoint;
        var wait = new Waiter(WaitSettings.Fast, TimeProvider.System, context.Logger);
        var api = SandboxApi.For(sandbox.BaseUrl);

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

        // AWS Backup's default service role, and the backup account's role with a trust policy that lets
        // this account assume it, exist only once someone creates them, in the sandbox as in AWS.
        await SampleAccount.SeedBackupServiceRoleAsync(api, cancellationToken);
        await SampleAccount.SeedBackupRoleAsync(api, cancellationToken);

        // Cross-account backup is an organization setting only the management account may turn on, as in AWS.
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

        return new SampleRehearsal(sandbox, options, aws, api, topicArn, applications);
    }

    /// <summary>Runs Plan, Cutover and Backup for each sample cluster, stops the applications and audits their writes.</summary>
    public async Task<IReadOnlyList<WriteAudit>> CutoverAsync(RekeyContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
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
                    $"--backup-role-arn={SampleAccount.BackupRoleArn}",
                    "--backup-vault=rekey-rehearsal",
                    $"--dns-server=127.0.0.1:{Sandbox.DnsPort}",
                    $"--sns-topic-arn={_topicArn}",
                    "--environment=rehearsal",
                    $"--run-id=rehearsal-{sample.Id}",
                    "--poll-interval=0.05s",
                    $"--artifacts={context.Settings.ArtifactsDirectory}",
                    $"--verbosity={context.Log.Verbosity}",

                    // The rehearsal's write audit and outage figures read a restore-swap (T1, the -old
                    // cluster); with the sandbox serving Blue/Green, auto would pick it for the PostgreSQL sample.
                    "--strategy=restore-swap",
                };

                await RunChildAsync(context, Aws, [.. arguments, "--target=Plan"]);
                await RunChildAsync(context, Aws, [.. arguments, "--target=Cutover", $"--confirm={sample.Id}"]);
                await RunChildAsync(context, Aws, [.. arguments, "--target=Backup", $"--confirm={sample.Id}"]);
            }
        }
        finally
        {
            foreach (var application in Applications)
            {
                await application.StopAsync();
            }
        }

        var audits = new List<WriteAudit>();
        foreach (var (sample, application) in SampleAccount.Clusters.Zip(Applications))
        {
            audits.Add(await AuditAsync(_api, Aws, RegionEndpoint, sample.Id, application, cancellationToken));
        }

        return audits;
    }

    /// <summary>Fails the run when an acknowledged write is missing or one reached the old cluster after T1.</summary>
    public static void ThrowIfWritesLost(IReadOnlyList<WriteAudit> audits)
    {
        var failed = audits.Where(a => !a.Passed).ToList();
        if (failed.Count > 0)
        {
            throw new InvalidOperationException(
                string.Join(Environment.NewLine, failed.Select(a => $"{a.Cluster}: {a.LostBeforeT1.Count} writes acknowledged before T1 are missing from the new cluster; {a.OldAfterT1.Count} writes went to the old cluster after T1.")));
        }
    }

    public static void Show(IAnsiConsole console, IReadOnlyList<WriteAudit> audits, IReadOnlyList<SimulatedApplication> applications)
    {
        ArgumentNullException.ThrowIfNull(console);
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

        console.Write(table);
    }

    public async ValueTask DisposeAsync()
    {
        _api.Dispose();
        await Sandbox.DisposeAsync();
    }

    private static async Task RunChildAsync(RekeyContext context, IAwsClientFactory aws, string[] arguments)
    {
        context.Log.Information(string.Empty);
        context.Log.Information("./build.sh {0}", string.Join(' ', arguments.Where(a => !a.StartsWith("--verbosity", StringComparison.Ordinal))));
        var exitCode = await RekeyBuild.CreateHost()
            .ConfigureServices(services => services.AddSingleton(aws))
            .RunAsync(arguments, context.CancellationToken);
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

}
