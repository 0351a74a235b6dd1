using Amazon;
using Amazon.KeyManagementService;
using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Rekey.Aws.ApplicationAutoScaling;
using Rekey.Aws.Backup;
using Rekey.Aws.RDSDataService;
using Rekey.Aws.CloudWatch;
using Rekey.Aws.IdentityManagement;
using Rekey.Aws.Official;
using Rekey.Aws.Organizations;
using Rekey.Aws.RDS;
using Rekey.Aws.Runtime;
using Rekey.Aws.SNS;

namespace Rekey.Aws;

/// <summary>Makes every AWS client Rekey uses, for one set of credentials, so one seam points them all at an endpoint.</summary>
public interface IAwsClientFactory
{
    IAmazonRDS CreateRds(RegionEndpoint region);

    IAmazonBackup CreateBackup(RegionEndpoint region);

    /// <summary>The RDS Data API (SQL on a cluster whose HTTP endpoint is enabled).</summary>
    IAmazonRDSDataService CreateRdsData(RegionEndpoint region);

    IAmazonSimpleNotificationService CreateSns(RegionEndpoint region);

    IAmazonCloudWatch CreateCloudWatch(RegionEndpoint region);

    /// <summary>An Application Auto Scaling client (Aurora replica auto scaling, which Blue/Green does not carry).</summary>
    IAmazonApplicationAutoScaling CreateApplicationAutoScaling(RegionEndpoint region);

    IAmazonKeyManagementService CreateKms(RegionEndpoint region);

    IAmazonSecurityTokenService CreateSts(RegionEndpoint region);

    /// <summary>
    /// An AWS Organizations client. Organizations is global: <paramref name="region"/> only picks the
    /// partition, whose one endpoint serves it (organizations.us-east-1.amazonaws.com in aws) and whose
    /// global signing region signs it.
    /// </summary>
    IAmazonOrganizations CreateOrganizations(RegionEndpoint region);

    /// <summary>
    /// An IAM client. IAM is global: <paramref name="region"/> only picks the partition, whose one
    /// endpoint serves it (iam.amazonaws.com in aws) and whose global signing region signs it.
    /// </summary>
    IAmazonIdentityManagementService CreateIam(RegionEndpoint region);

    /// <summary>The same factory with other credentials (e.g. an assumed role in the backup account).</summary>
    IAwsClientFactory WithCredentials(AWSCredentials credentials);

    /// <summary>The same factory, whose clients (and those of the roles it assumes) ask <paramref name="gate"/> before every change.</summary>
    IAwsClientFactory WithChangeGate(IChangeGate gate);

    /// <summary>The same factory, whose clients (and those of the roles it assumes) report every call to <paramref name="observer"/>.</summary>
    IAwsClientFactory WithCallObserver(IAwsCallObserver observer);

    /// <summary>
    /// Assumes <paramref name="roleArn"/> through STS (on the configured endpoint) and returns a factory
    /// for the role's temporary credentials, which are not refreshed: they last
    /// <paramref name="durationSeconds"/> (STS's default is one hour). The session name should carry
    /// the run id: CloudTrail shows it as the actor.
    /// </summary>
    Task<(IAwsClientFactory Factory, AssumeRoleResponse Response)> AssumeRoleAsync(
        RegionEndpoint region, string roleArn, string roleSessionName, int? durationSeconds = null, CancellationToken cancellationToken = default);
}

/// <summary>
/// The default <see cref="IAwsClientFactory"/>. Clients are new instances owned (and disposed) by the caller.
/// </summary>
public sealed class AwsClientFactory(AwsClientOptions options) : IAwsClientFactory
{
    public AwsClientFactory()
        : this(new AwsClientOptions())
    {
    }

    public AwsClientOptions Options { get; } = options ?? throw new ArgumentNullException(nameof(options));

    public IAmazonRDS CreateRds(RegionEndpoint region) =>
        new AmazonRDSClient(Credentials(), Configure(new AmazonRDSConfig(), region));

    public IAmazonBackup CreateBackup(RegionEndpoint region) =>
        new AmazonBackupClient(Credentials(), Configure(new AmazonBackupConfig(), region));

    public IAmazonRDSDataService CreateRdsData(RegionEndpoint region) =>
        new AmazonRDSDataServiceClient(Credentials(), Configure(new AmazonRDSDataServiceConfig(), region));

    public IAmazonSimpleNotificationService CreateSns(RegionEndpoint region) =>
        new AmazonSimpleNotificationServiceClient(Credentials(), Configure(new AmazonSimpleNotificationServiceConfig(), region));

    public IAmazonCloudWatch CreateCloudWatch(RegionEndpoint region) =>
        new AmazonCloudWatchClient(Credentials(), Configure(new AmazonCloudWatchConfig(), region));

    public IAmazonApplicationAutoScaling CreateApplicationAutoScaling(RegionEndpoint region) =>
        new AmazonApplicationAutoScalingClient(Credentials(), Configure(new AmazonApplicationAutoScalingConfig(), region));

    public IAmazonKeyManagementService CreateKms(RegionEndpoint region) =>
        new KmsClient(Credentials(), Configure(new AmazonKeyManagementServiceConfig(), region));

    public IAmazonSecurityTokenService CreateSts(RegionEndpoint region) =>
        new StsClient(Credentials(), Configure(new AmazonSecurityTokenServiceConfig(), region));

    public IAmazonOrganizations CreateOrganizations(RegionEndpoint region) =>
        new AmazonOrganizationsClient(Credentials(), Configure(new AmazonOrganizationsConfig(), region));

    public IAmazonIdentityManagementService CreateIam(RegionEndpoint region) =>
        new AmazonIdentityManagementServiceClient(Credentials(), Configure(new AmazonIdentityManagementServiceConfig(), region));

    public IAwsClientFactory WithCredentials(AWSCredentials credentials)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        return new AwsClientFactory(Options with { Credentials = credentials });
    }

    public IAwsClientFactory WithChangeGate(IChangeGate gate)
    {
        ArgumentNullException.ThrowIfNull(gate);
        return new AwsClientFactory(Options with { ChangeGate = gate });
    }

    public IAwsClientFactory WithCallObserver(IAwsCallObserver observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        return new AwsClientFactory(Options with { CallObserver = observer });
    }

    public async Task<(IAwsClientFactory Factory, AssumeRoleResponse Response)> AssumeRoleAsync(
        RegionEndpoint region, string roleArn, string roleSessionName, int? durationSeconds = null, CancellationToken cancellationToken = default)
    {
        using var sts = CreateSts(region);
        var response = await sts.AssumeRoleAsync(
            new AssumeRoleRequest { RoleArn = roleArn, RoleSessionName = roleSessionName, DurationSeconds = durationSeconds },
            cancellationToken).ConfigureAwait(false);
        var c = response.Credentials;
        var assumed = new SessionAWSCredentials(c.AccessKeyId, c.SecretAccessKey, c.SessionToken);
        return (new AwsClientFactory(Options with { Credentials = assumed, Profile = null }), response);
    }

    private AWSCredentials? Credentials()
    {
        if (Options.Credentials is { } explicitCredentials)
        {
            return explicitCredentials;
        }

        if (Options.Profile is { } profile)
        {
            return new CredentialProfileStoreChain().TryGetAWSCredentials(profile, out var fromProfile)
                ? fromProfile
                : throw new AmazonClientException($"AWS profile '{profile}' was not found in the shared config or credentials file, or has no credentials.");
        }

        return null;
    }

    private T Configure<T>(T config, RegionEndpoint region)
        where T : ClientConfig
    {
        ArgumentNullException.ThrowIfNull(region);
        config.RegionEndpoint = region;
        if (Options.Profile is { } profile)
        {
            config.Profile = new Profile(profile);
        }

        if (!string.IsNullOrEmpty(Options.ServiceUrl))
        {
            // ServiceURL replaces the service's endpoint; the signature keeps the scope that endpoint
            // expects: the region, or the partition's global signing region for IAM and Organizations.
            config.ServiceURL = Options.ServiceUrl;
            config.AuthenticationRegion = config is AwsServiceConfig own ? own.SigningRegion(region) : region.SystemName;
        }

        if (Options.MaxErrorRetry is { } retries)
        {
            config.MaxErrorRetry = retries;
        }

        if (Options.HttpClientFactory is { } httpClientFactory)
        {
            config.HttpClientFactory = httpClientFactory;
        }

        if (Options.ClientAppId is { } appId)
        {
            config.ClientAppId = appId;
        }

        if (Options.Timeout is { } timeout)
        {
            config.Timeout = timeout;
        }

        if (Options.ChangeGate is { } gate)
        {
            ChangeGates.Attach(config, gate);
        }

        if (Options.CallObserver is { } observer)
        {
            AwsCallObservers.Attach(config, observer);
        }

        return config;
    }
}
