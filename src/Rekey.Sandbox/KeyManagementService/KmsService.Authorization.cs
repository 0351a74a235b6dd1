using System.Text.Json.Nodes;
using Rekey.Sandbox.Core;
using Rekey.Sandbox.Protocols;

namespace Rekey.Sandbox.KeyManagementService;

/// <summary>
/// What IAM evaluates for a KMS call, for the call record: the key (its ARN, tags and aliases, the
/// kms:ResourceAliases condition key), the alias CreateAlias names, and the tags CreateKey and TagResource send.
/// </summary>
public sealed partial class KmsService
{
    protected override void DescribeForIam(AwsRequestContext request, string operation, JsonObject body, bool afterHandler)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(body);
        var iam = request.Authorization;
        if (afterHandler)
        {
            return;
        }

        if (body["Tags"] is JsonArray tags)
        {
            foreach (var tag in tags.OfType<JsonObject>())
            {
                if (tag["TagKey"]?.GetValue<string>() is { } key)
                {
                    iam.AddRequestTag(key, tag["TagValue"]?.GetValue<string>() ?? string.Empty);
                }
            }
        }

        foreach (var member in new[] { "KeyId", "TargetKeyId" })
        {
            if (body[member]?.GetValue<string>() is { Length: > 0 } reference && _keys.Resolve(request.Account, request.Region, reference) is { } key)
            {
                var aliases = _keys.AliasesOf(key.Account, key.Region).Where(a => a.TargetKeyId == key.KeyId).Select(a => a.AliasName).ToList();
                iam.Add(
                    key.Arn,
                    operation == "ScheduleKeyDeletion" ? CallResourceUse.Deleted : CallResourceUse.Named,
                    key.Tags.Select(t => new KeyValuePair<string, string>(t.TagKey, t.TagValue)),
                    new Dictionary<string, IReadOnlyList<string>> { ["kms:ResourceAliases"] = aliases });
            }
        }

        if (body["AliasName"]?.GetValue<string>() is { Length: > 0 } alias)
        {
            iam.Add($"arn:aws:kms:{request.Region}:{request.Account}:{alias}", operation == "CreateAlias" ? CallResourceUse.Created : CallResourceUse.Named);
        }
    }
}
