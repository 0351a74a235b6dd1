using System.Text;
using System.Text.Json.Nodes;
using Rekey.Sandbox.Core.Policies;
using Rekey.Sandbox.Protocols;

namespace Rekey.Sandbox.KeyManagementService;

/// <summary>Key policies: one policy per key, named default, checked for size, syntax and KMS's lockout rule.</summary>
public sealed partial class KmsService
{
    private JsonObject GetKeyPolicy(AwsRequestContext request, JsonObject body)
    {
        var policyName = OptionalString(body, "PolicyName") ?? "default";
        var key = Key(request, body, "kms:GetKeyPolicy", anyState: true);
        CheckPolicyName(policyName);
        return new JsonObject { ["Policy"] = key.Policy, ["PolicyName"] = policyName };
    }

    private JsonObject PutKeyPolicy(AwsRequestContext request, JsonObject body)
    {
        CheckPolicyName(OptionalString(body, "PolicyName") ?? "default");
        var key = Key(request, body, "kms:PutKeyPolicy", anyState: true);
        var policy = RequiredString(body, "Policy");
        CheckPolicy(request, policy, RoleArn(request), OptionalBool(body, "BypassPolicyLockoutSafetyCheck"));
        key.Policy = policy;
        return [];
    }

    /// <summary>Checks a new key policy, with KMS's lockout safety check (the caller must keep kms:PutKeyPolicy).</summary>
    private void CheckPolicy(AwsRequestContext request, string policy, string? roleArn, bool bypassLockoutCheck)
    {
        if (Encoding.UTF8.GetByteCount(policy) > 32768)
        {
            throw new AwsServiceException("LimitExceededException", "The key policy exceeds the maximum size of 32 KB.");
        }

        if (PolicyEvaluator.Parse(policy, out var error) is null)
        {
            throw new AwsServiceException("MalformedPolicyDocumentException", error!);
        }

        if (!bypassLockoutCheck && !PolicyEvaluator.IsAllowed(policy, _keys.RequestFor(request.Account, roleArn, "kms:PutKeyPolicy")))
        {
            throw new AwsServiceException(
                "MalformedPolicyDocumentException",
                "The new key policy will not allow you to update the key policy in the future.");
        }
    }

    private static void CheckPolicyName(string policyName)
    {
        if (policyName != "default")
        {
            throw NotFound($"Policy {policyName} not found. The only valid policy name is default.");
        }
    }
}
