using Amazon;
using Amazon.KeyManagementService;
using Amazon.SecurityToken;
using Microsoft.Extensions.Logging;
using Rekey.Aws;
using Rekey.Aws.ApplicationAutoScaling;
using Rekey.Aws.Backup;
using Rekey.Aws.CloudWatch;
using Rekey.Aws.IdentityManagement;
using Rekey.Aws.Organizations;
using Rekey.Aws.RDS;
using Rekey.Aws.SNS;
using Rekey.Configuration;
using Rekey.Dns;
using Rekey.Reporting;
using Rekey.Safety;
using Rekey.Waiting;

namespace Rekey.Runtime;

/// <summary>
/// Everything one run of Rekey works with: the settings, the AWS clients for the cluster's Region,
/// DNS, the waiter, the log and the run's journal. Clients are made on first use and disposed with the run.
/// </summary>
public sealed class RekeyRun : IDisposable
{
    private readonly IAwsClientFactory _aws;
    private readonly Lazy<IAmazonRDS> _rds;
    private readonly Lazy<IAmazonKeyManagementService> _kms;
    private readonly Lazy<IAmazonCloudWatch> _cloudWatch;
    private readonly Lazy<IAmazonSecurityTokenService> _sts;
    private readonly Lazy<IAmazonBackup> _backup;
    private readonly Lazy<IAmazonSimpleNotificationService> _sns;
    private readonly Lazy<IAmazonOrganizations> _organizations;
    private readonly Lazy<IAmazonIdentityManagementService> _iam;
    private readonly Lazy<IAmazonApplicationAutoScaling> _autoScaling;
    private readonly Lazy<Rekey.Aws.RDSDataService.IAmazonRDSDataService> _rdsData;
    private string? _targetKeyArn;

    public RekeyRun(
        RekeySettings settings,
        string runId,
        IAwsClientFactory aws,
        IEndpointResolver dns,
        WaitSettings waits,
        TimeProvider time,
        ILogger logger,
        StepInProgress? step = null,
        Func<DateTimeOffset?>? awsNow = null)
    {
        Settings = settings;
        RunId = runId;
        Step = step ?? new StepInProgress();
        Guard = new ChangeGuard(this, Step);

        // Every client the run makes, and every client of a role it assumes, asks the guard before each change.
        aws = aws.WithChangeGate(Guard);
        _aws = aws;
        Dns = dns;
        Time = time;
        Log = logger;
        Region = settings.Region is { } region
            ? RegionEndpoint.GetBySystemName(region)
            : FallbackRegion();

        // The waits say their ETA and deadline on AWS's clock when the caller keeps it (the Dates of AWS's answers), and
        // with a topic tell it how a long wait goes every --heartbeat-interval (SNS Publish passes no change guard rule).
        var wait = awsNow is null ? new Waiter(waits, time, logger) : new Waiter(waits, time, logger).WithAwsClock(awsNow);
        Wait = settings.SnsTopicArn is { } topic
            ? wait.WithHeartbeat(settings.HeartbeatInterval, (progress, token) => new Notifications.SnsNotifier(Sns, topic, logger).PublishAsync(
                new Notifications.StepEvent { Status = "waiting", Step = Step.Name ?? "wait", Cluster = settings.Cluster, Run = runId, Region = Region.SystemName, Details = progress },
                token))
            : wait;
        _rds = new(() => aws.CreateRds(Region));
        _kms = new(() => aws.CreateKms(Region));
        _cloudWatch = new(() => aws.CreateCloudWatch(Region));
        _sts = new(() => aws.CreateSts(Region));
        _backup = new(() => aws.CreateBackup(Region));
        _sns = new(() => aws.CreateSns(SnsRegion(settings.SnsTopicArn) ?? Region));
        _organizations = new(() => aws.CreateOrganizations(Region));
        _iam = new(() => aws.CreateIam(Region));
        _autoScaling = new(() => aws.CreateApplicationAutoScaling(Region));
        _rdsData = new(() => aws.CreateRdsData(Region));
    }

    public RekeySettings Settings { get; }

    /// <summary>Identifies this run in tags, locks, notifications and role session names.</summary>
    public string RunId { get; }

    public RegionEndpoint Region { get; }

    public IAwsClientFactory Aws => _aws;

    public IAmazonRDS Rds => _rds.Value;

    public IAmazonKeyManagementService Kms => _kms.Value;

    public IAmazonCloudWatch CloudWatch => _cloudWatch.Value;

    public IAmazonSecurityTokenService Sts => _sts.Value;

    public IAmazonBackup Backup => _backup.Value;

    /// <summary>SNS in the topic's own Region (a topic ARN names it), else the cluster's.</summary>
    public IAmazonSimpleNotificationService Sns => _sns.Value;

    /// <summary>AWS Organizations, a global service: the Region only picks the partition.</summary>
    public IAmazonOrganizations Organizations => _organizations.Value;

    /// <summary>IAM, a global service: the Region only picks the partition.</summary>
    public IAmazonIdentityManagementService Iam => _iam.Value;

    /// <summary>Application Auto Scaling: the replica auto scaling of an Aurora cluster, which Blue/Green does not carry.</summary>
    public IAmazonApplicationAutoScaling AutoScaling => _autoScaling.Value;

    /// <summary>The RDS Data API: SQL on a cluster whose HTTP endpoint is on, with --database-secret-arn (Blue/Green's sequences).</summary>
    public Rekey.Aws.RDSDataService.IAmazonRDSDataService RdsData => _rdsData.Value;

    public IEndpointResolver Dns { get; }

    /// <summary>The step in progress, whose rules the guard applies.</summary>
    public StepInProgress Step { get; }

    /// <summary>Asked before every change this run's clients make (DESIGN.md, invariant 6).</summary>
    public ChangeGuard Guard { get; }

    /// <summary>
    /// The ARN of the key <c>--kms-key</c> names, looked up once per run (PrepareKey sets it when it creates or checks the key);
    /// it must exist.
    /// </summary>
    public async Task<string> TargetKeyArnAsync(CancellationToken cancellationToken)
    {
        if (_targetKeyArn is { } known)
        {
            return known;
        }

        var arn = await Migration.TargetKey.ResolveArnAsync(this, cancellationToken).ConfigureAwait(false);
        _targetKeyArn = arn;
        return arn;
    }

    /// <summary>Records the key ARN a step settled on, so later steps and the guard do not look it up again.</summary>
    public void SettleTargetKey(string keyArn) => _targetKeyArn = keyArn;

    public Waiter Wait { get; }

    public TimeProvider Time { get; }

    public ILogger Log { get; }

    public RunJournal Journal { get; } = new();

    /// <summary>The cluster to migrate; steps that need it fail with a clear message when it was not given.</summary>
    public string ClusterId => Settings.Cluster
        ?? throw new InvalidArgumentsException("This step needs the cluster: give --cluster=ID (or set REKEY_CLUSTER).");

    /// <summary>The old cluster's name after the fence.</summary>
    public string OldClusterId => ClusterId + Settings.OldSuffix;

    public string OldNameOf(string instanceId) => instanceId + Settings.OldSuffix;

    public void Dispose()
    {
        DisposeIfCreated(_rds);
        DisposeIfCreated(_kms);
        DisposeIfCreated(_cloudWatch);
        DisposeIfCreated(_sts);
        DisposeIfCreated(_backup);
        DisposeIfCreated(_sns);
        DisposeIfCreated(_organizations);
        DisposeIfCreated(_iam);
        DisposeIfCreated(_autoScaling);
        DisposeIfCreated(_rdsData);
    }

    private static RegionEndpoint? SnsRegion(string? topicArn) =>
        topicArn?.Split(':') is { Length: > 3 } parts ? RegionEndpoint.GetBySystemName(parts[3]) : null;

    private static void DisposeIfCreated<T>(Lazy<T> client)
    {
        if (client.IsValueCreated && client.Value is IDisposable disposable)
        {
            disposable.Dispose();
        }
    }

    private static RegionEndpoint FallbackRegion() =>
        Amazon.Runtime.FallbackRegionFactory.GetRegionEndpoint()
        ?? throw new InvalidArgumentsException("No AWS Region is set: give --region=REGION or set AWS_REGION.");
}
