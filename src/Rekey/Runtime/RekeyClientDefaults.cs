using Rekey.Aws;

namespace Rekey.Runtime;

/// <summary>How Rekey's AWS clients behave unless a caller replaces the factory.</summary>
public static class RekeyClientDefaults
{
    /// <summary>
    /// Retries after the first attempt. A cutover waits through a throttling storm rather than failing a
    /// step mid-outage, so it allows more attempts than the SDK's 3 (standard mode backs off up to 20 s each).
    /// </summary>
    public const int MaxErrorRetry = 10;

    /// <summary>The client options a run starts from; tests add their endpoint and credentials with <c>with</c>.</summary>
    public static AwsClientOptions Options { get; } = new() { MaxErrorRetry = MaxErrorRetry };
}
