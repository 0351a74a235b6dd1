using Amazon.Runtime;

namespace Rekey.Aws;

/// <summary>
/// How <see cref="AwsClientFactory"/> builds clients. Everything left unset follows the SDK's own
/// resolution, exactly as with the official SDK: AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL,
/// AWS_ENDPOINT_URL_&lt;SERVICE&gt; (RDS, BACKUP, SNS, CLOUDWATCH, KMS, STS, IAM, ORGANIZATIONS), shared config files,
/// web identity (OIDC), SSO and instance roles.
/// </summary>
public sealed record AwsClientOptions
{
    /// <summary>One endpoint for every service (a sandbox or mock on loopback). Overrides the AWS_ENDPOINT_URL variables.</summary>
    public string? ServiceUrl { get; init; }

    /// <summary>A named profile of the shared config/credentials files; null means AWS_PROFILE or "default".</summary>
    public string? Profile { get; init; }

    /// <summary>Explicit credentials; null means the SDK's default credential chain (or <see cref="Profile"/>).</summary>
    public AWSCredentials? Credentials { get; init; }

    /// <summary>Retries after the first attempt for throttling, 5xx and transient errors; null keeps the SDK default (standard mode, 3 attempts in all).</summary>
    public int? MaxErrorRetry { get; init; }

    /// <summary>The SDK's retry mode (standard, or adaptive with its client-side rate limiter); null keeps AWS_RETRY_MODE, the profile's, or standard.</summary>
    public RequestRetryMode? RetryMode { get; init; }

    /// <summary>Replaces the SDK's HttpClient (tests record requests with it).</summary>
    public HttpClientFactory? HttpClientFactory { get; init; }

    /// <summary>
    /// Asked before every call that changes AWS (<see cref="Runtime.AwsOperationKinds.IsChange"/>), by every client
    /// made with these options, including those of an assumed role; null lets every call through (fixtures, the sandbox's seeding).
    /// </summary>
    public Runtime.IChangeGate? ChangeGate { get; init; }
    /// <summary>The application id the SDK adds to each request's User-Agent (<c>app/ID</c>); null keeps AWS_SDK_UA_APP_ID or none.</summary>
    public string? ClientAppId { get; init; }

    /// <summary>Hears of every call the clients make (operation, endpoint, duration, retries); null hears nothing.</summary>
    public Runtime.IAwsCallObserver? CallObserver { get; init; }

    /// <summary>Per-attempt HTTP timeout; null keeps the SDK default.</summary>
    public TimeSpan? Timeout { get; init; }
}
