using Amazon.Runtime;
using Amazon.Runtime.Internal;
using Amazon.Runtime.Internal.Transform;

namespace Rekey.Aws.Runtime;

/// <summary>
/// The base of the RDS, Backup, SNS, CloudWatch, Organizations and IAM clients: an AmazonServiceClient whose pipeline
/// resolves endpoints through <see cref="ServiceEndpointResolver"/> and signs with SigV4. The SDK
/// supplies credentials, signing, retries with backoff, clock-skew correction and the HTTP stack.
/// </summary>
public abstract class AwsServiceClient : AmazonServiceClient
{
    protected AwsServiceClient(AWSCredentials? credentials, AwsServiceConfig config)
        : base(credentials, config)
    {
    }

    protected AwsServiceClient(AwsServiceConfig config)
        : base(config)
    {
    }

    protected override void CustomizeRuntimePipeline(RuntimePipeline pipeline)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        pipeline.RemoveHandler<EndpointResolver>();
        pipeline.AddHandlerAfter<Marshaller>(new ServiceEndpointResolver());
        pipeline.AddHandlerAfter<Marshaller>(new SigV4AuthSchemeHandler());
        pipeline.AddHandler(new ChangeGateHandler());
        pipeline.AddHandler(new AwsCallHandler());
    }

    protected Task<TResponse> InvokeOperationAsync<TResponse>(
        AmazonWebServiceRequest request,
        IMarshaller<IRequest, AmazonWebServiceRequest> marshaller,
        ResponseUnmarshaller unmarshaller,
        CancellationToken cancellationToken)
        where TResponse : AmazonWebServiceResponse, new()
    {
        ArgumentNullException.ThrowIfNull(request);
        var options = new InvokeOptions { RequestMarshaller = marshaller, ResponseUnmarshaller = unmarshaller };
        return InvokeAsync<TResponse>(request, options, cancellationToken);
    }
}
