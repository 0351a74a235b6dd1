using Amazon.KeyManagementService;
using Amazon.Runtime;
using Amazon.Runtime.Internal;
using Amazon.SecurityToken;
using Rekey.Aws.Runtime;

namespace Rekey.Aws.Official;

// The official KMS and STS clients as they are, plus a pipeline handler that keeps the server
// Date of each answer readable through ServerDates.ServerDate(response), and the change gate every client asks.

/// <summary>The official KMS client; null credentials mean the SDK's default chain.</summary>
internal sealed class KmsClient(AWSCredentials? credentials, AmazonKeyManagementServiceConfig config)
    : AmazonKeyManagementServiceClient(credentials, config)
{
    protected override void CustomizeRuntimePipeline(RuntimePipeline pipeline)
    {
        base.CustomizeRuntimePipeline(pipeline);
        pipeline.AddHandlerBefore<Unmarshaller>(new ServerDateHandler());
        pipeline.AddHandler(new ChangeGateHandler());
        pipeline.AddHandler(new AwsCallHandler());
    }
}

/// <summary>The official STS client; null credentials mean the SDK's default chain.</summary>
internal sealed class StsClient(AWSCredentials? credentials, AmazonSecurityTokenServiceConfig config)
    : AmazonSecurityTokenServiceClient(credentials, config)
{
    protected override void CustomizeRuntimePipeline(RuntimePipeline pipeline)
    {
        base.CustomizeRuntimePipeline(pipeline);
        pipeline.AddHandlerBefore<Unmarshaller>(new ServerDateHandler());
        pipeline.AddHandler(new ChangeGateHandler());
        pipeline.AddHandler(new AwsCallHandler());
    }
}
