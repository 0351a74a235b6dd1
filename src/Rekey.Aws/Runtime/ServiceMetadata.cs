using Amazon.Runtime.Internal;

namespace Rekey.Aws.Runtime;

internal sealed class ServiceMetadata(string serviceId) : IServiceMetadata
{
    public string ServiceId { get; } = serviceId;

    public IDictionary<string, string> OperationNameMapping { get; } = new Dictionary<string, string>();
}
