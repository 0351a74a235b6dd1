using System.Text.Json.Nodes;
using Rekey.Sandbox.Protocols;

namespace Rekey.Sandbox.KeyManagementService;

/// <summary>Tags on keys: at most 50, none with the reserved aws: prefix.</summary>
public sealed partial class KmsService
{
    private JsonObject TagResource(AwsRequestContext request, JsonObject body)
    {
        var key = Key(request, body, "kms:TagResource");
        foreach (var tag in Tags(body, required: true))
        {
            key.Tags.RemoveAll(t => t.TagKey == tag.TagKey);
            key.Tags.Add(tag);
        }

        if (key.Tags.Count > 50)
        {
            throw new AwsServiceException("LimitExceededException", "A key can have at most 50 tags.");
        }

        return [];
    }

    private JsonObject UntagResource(AwsRequestContext request, JsonObject body)
    {
        var key = Key(request, body, "kms:UntagResource");
        var keys = body["TagKeys"] as JsonArray ?? throw Validation("1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not be null");
        var removed = keys.Select(k => k?.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
        key.Tags.RemoveAll(t => removed.Contains(t.TagKey));
        return [];
    }

    private JsonObject ListResourceTags(AwsRequestContext request, JsonObject body)
    {
        var key = Key(request, body, "kms:ListResourceTags", anyState: true);
        return Page(body, key.Tags.OrderBy(t => t.TagKey, StringComparer.Ordinal).ToList(), t => new JsonObject { ["TagKey"] = t.TagKey, ["TagValue"] = t.TagValue }, "Tags");
    }

    private static List<KmsTag> Tags(JsonObject body, bool required)
    {
        if (body["Tags"] is not JsonArray tags)
        {
            return required ? throw Validation("1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null") : [];
        }

        var result = new List<KmsTag>();
        foreach (var tag in tags.OfType<JsonObject>())
        {
            var key = RequiredString(tag, "TagKey");
            var value = tag["TagValue"]?.GetValue<string>()
                ?? throw Validation("1 validation error detected: Value null at 'tags.member.tagValue' failed to satisfy constraint: Member must not be null");
            if (key.StartsWith("aws:", StringComparison.OrdinalIgnoreCase))
            {
                throw new AwsServiceException("TagException", "Tag keys beginning with aws: are reserved for AWS use.");
            }

            result.Add(new KmsTag(key, value));
        }

        return result;
    }
}
