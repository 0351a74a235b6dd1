using Amazon.Runtime;

namespace Rekey.Aws.Runtime;

/// <summary>The SDK's defaults modes (standard, in-region, cross-region, mobile, auto), as every generated client registers them.</summary>
internal static class DefaultConfigurations
{
    public static IReadOnlyList<IDefaultConfiguration> All { get; } =
    [
        Create(DefaultConfigurationMode.Standard, 3100),
        Create(DefaultConfigurationMode.InRegion, 1100),
        Create(DefaultConfigurationMode.CrossRegion, 3100),
        Create(DefaultConfigurationMode.Mobile, 30000),
        Create(DefaultConfigurationMode.Auto, 1100),
    ];

    private static DefaultConfiguration Create(DefaultConfigurationMode mode, int connectTimeoutMilliseconds) => new()
    {
        Name = mode,
        RetryMode = RequestRetryMode.Standard,
        S3UsEast1RegionalEndpoint = S3UsEast1RegionalEndpointValue.Regional,
        ConnectTimeout = TimeSpan.FromMilliseconds(connectTimeoutMilliseconds),
        TlsNegotiationTimeout = TimeSpan.FromMilliseconds(connectTimeoutMilliseconds),
        TimeToFirstByteTimeout = null,
        HttpRequestTimeout = null,
    };
}
