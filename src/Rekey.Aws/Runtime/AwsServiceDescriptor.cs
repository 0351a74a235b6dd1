namespace Rekey.Aws.Runtime;

/// <summary>What distinguishes one AWS service for the shared runtime plumbing.</summary>
/// <param name="ServiceId">AWS's service id ("RDS"); the SDK derives AWS_ENDPOINT_URL_&lt;ID&gt; from it.</param>
/// <param name="EndpointPrefix">The host prefix of the regional endpoint ("rds", "monitoring").</param>
/// <param name="SigningName">The SigV4 credential scope service name.</param>
/// <param name="ApiVersion">The model's apiVersion.</param>
public sealed record AwsServiceDescriptor(string ServiceId, string EndpointPrefix, string SigningName, string ApiVersion);
