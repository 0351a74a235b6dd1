using Rekey.Aws.RDS;
using Rekey.Aws.RDS.Model;

namespace Rekey.State;

/// <summary>Writes and removes tags on RDS resources by ARN.</summary>
public static class Tagging
{
    public static Task AddAsync(this IAmazonRDS rds, string arn, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken) =>
        tags.Count == 0
            ? Task.CompletedTask
            : rds.AddTagsToResourceAsync(
                new AddTagsToResourceRequest { ResourceName = arn, Tags = tags.Select(t => new Tag { Key = t.Key, Value = t.Value }).ToList() },
                cancellationToken);

    public static Task AddAsync(this IAmazonRDS rds, string arn, string key, string value, CancellationToken cancellationToken) =>
        rds.AddAsync(arn, new Dictionary<string, string> { [key] = value }, cancellationToken);

    public static Task RemoveAsync(this IAmazonRDS rds, string arn, IEnumerable<string> keys, CancellationToken cancellationToken)
    {
        var list = keys.ToList();
        return list.Count == 0
            ? Task.CompletedTask
            : rds.RemoveTagsFromResourceAsync(new RemoveTagsFromResourceRequest { ResourceName = arn, TagKeys = list }, cancellationToken);
    }

    public static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
}
