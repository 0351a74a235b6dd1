using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Endpoints;
using Amazon.Runtime.Internal;
using Amazon.Util.Internal;

namespace Rekey.Aws.Runtime;

/// <summary>
/// The ClientConfig shared by the services written on AWSSDK.Core here: it carries the service id
/// (so ServiceURL, AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_&lt;SERVICE&gt; resolve as in the official SDK),
/// the signing name and the endpoint provider.
/// </summary>
public abstract class AwsServiceConfig : ClientConfig
{
    private static readonly ServiceEndpointResolver Resolver = new();
    private readonly ServiceEndpointProvider _endpoints;

    protected AwsServiceConfig(AwsServiceDescriptor service)
        : base(new DefaultConfigurationProvider(DefaultConfigurations.All))
    {
        ArgumentNullException.ThrowIfNull(service);
        Service = service;
        ServiceId = service.ServiceId;
        AuthenticationServiceName = service.SigningName;
        EndpointProvider = _endpoints = new ServiceEndpointProvider(service);
        UserAgent = InternalSDKUtils.BuildUserAgentString(service.ServiceId, typeof(AwsServiceConfig).Assembly.GetName().Version?.ToString() ?? "1.0.0");
    }

    /// <summary>The service this configuration is for.</summary>
    public AwsServiceDescriptor Service { get; }

    /// <summary>
    /// The region requests for <paramref name="region"/> are signed for: the region itself, or the
    /// partition's global signing region for a global service (us-east-1 for IAM in aws).
    /// </summary>
    public string SigningRegion(RegionEndpoint region)
    {
        ArgumentNullException.ThrowIfNull(region);
        return _endpoints.SigningRegion(region.SystemName);
    }

    public override string RegionEndpointServiceName => Service.EndpointPrefix;

    public override string ServiceVersion => Service.ApiVersion;

    public override string UserAgent { get; }

    public override Endpoint DetermineServiceOperationEndpoint(ServiceOperationEndpointParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var executionContext = new Amazon.Runtime.Internal.ExecutionContext(
            new RequestContext(false)
            {
                ClientConfig = this,
                OriginalRequest = parameters.Request,
                Request = new DefaultRequest(parameters.Request, Service.ServiceId) { AlternateEndpoint = parameters.AlternateEndpoint },
            },
            null);
        return Resolver.GetEndpoint(executionContext);
    }
}
