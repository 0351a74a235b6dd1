using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Amazon.KeyManagementService.Model;
using Rekey.Aws;
using Rekey.Aws.RDS.Model;

namespace Rekey.EndToEnd.Tests.Support;

/// <summary>
/// Everything the pipeline can leave behind in the account, read through the AWS API and written as
/// sorted lines, with what differs between two equally good runs taken out: times, resource ids, and
/// key ids (named by their alias, or "orphan" when no alias points at them), Blue/Green deployment ids
/// and green name suffixes.
/// </summary>
public sealed partial record AccountState(IReadOnlyList<string> Lines)
{
    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    public IEnumerable<string> Of(string kind) => Lines.Where(l => l.StartsWith(kind + " ", StringComparison.Ordinal));

    public override string ToString() => string.Join(Environment.NewLine, Lines);

    public static async Task<AccountState> ReadAsync(IAwsClientFactory aws)
    {
        using var rds = aws.CreateRds(EndToEndSandbox.Region);
        using var kms = aws.CreateKms(EndToEndSandbox.Region);
        var lines = new List<string>();

        var aliases = (await kms.ListAliasesAsync(new ListAliasesRequest())).Aliases ?? [];
        var keyNames = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var key in (await kms.ListKeysAsync(new ListKeysRequest())).Keys ?? [])
        {
            var metadata = (await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata;
            var alias = aliases.Where(a => a.TargetKeyId == key.KeyId).Select(a => a.AliasName).OrderBy(a => a, StringComparer.Ordinal).FirstOrDefault();
            var name = alias is null ? $"{{orphan key {keyNames.Count}}}" : $"{{key {alias}}}";
            keyNames[key.KeyId] = name;
            if (metadata.KeyManager == Amazon.KeyManagementService.KeyManagerType.AWS)
            {
                // aws/rds: only its id differs between two sandboxes.
                continue;
            }

            var rotation = (await kms.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = key.KeyId })).KeyRotationEnabled;
            var tags = (await kms.ListResourceTagsAsync(new ListResourceTagsRequest { KeyId = key.KeyId })).Tags ?? [];
            lines.Add($"key {name} state={metadata.KeyState} spec={metadata.KeySpec} rotation={rotation} tags=[{string.Join(", ", tags.Select(t => $"{t.TagKey}={t.TagValue}").Order(StringComparer.Ordinal))}]");
        }

        lines.AddRange(aliases.Where(a => !a.AliasName.StartsWith("alias/aws/", StringComparison.Ordinal)).Select(a => $"alias {a.AliasName} -> {a.TargetKeyId}"));

        var clusters = (await rds.DescribeDBClustersAsync(new DescribeDBClustersRequest())).DBClusters ?? [];
        lines.AddRange(clusters.Select(c => "cluster " + Normalize(c)));
        var instances = (await rds.DescribeDBInstancesAsync(new DescribeDBInstancesRequest())).DBInstances ?? [];
        lines.AddRange(instances.Select(i => "instance " + Normalize(i)));
        var endpoints = (await rds.DescribeDBClusterEndpointsAsync(new DescribeDBClusterEndpointsRequest())).DBClusterEndpoints ?? [];
        lines.AddRange(endpoints.Where(e => e.EndpointType == "CUSTOM").Select(e => "endpoint " + Normalize(e)));
        var deployments = new List<BlueGreenDeployment>();
        await foreach (var deployment in rds.DescribeBlueGreenDeploymentsAllAsync(new DescribeBlueGreenDeploymentsRequest()))
        {
            deployments.Add(deployment);
        }

        lines.AddRange(deployments.Select(d => "deployment " + Normalize(d)));
        var snapshots = (await rds.DescribeDBClusterSnapshotsAsync(new DescribeDBClusterSnapshotsRequest { SnapshotType = "manual" })).DBClusterSnapshots ?? [];
        lines.AddRange(snapshots.Select(s => $"snapshot {s.DBClusterSnapshotIdentifier} of {s.DBClusterIdentifier} {s.Status}"));

        var text = string.Join('\n', lines);
        foreach (var (id, name) in keyNames)
        {
            text = text.Replace(id, name, StringComparison.Ordinal);
        }

        // Blue/Green deployment ids and green name suffixes are AWS's random choices.
        text = DeploymentIdPattern().Replace(text, "{deployment}");
        text = GreenSuffixPattern().Replace(text, "-green-{suffix}");
        return new AccountState([.. text.Split('\n').Order(StringComparer.Ordinal)]);
    }

    /// <summary>One resource as JSON on one line: times and resource ids out, tags and lists sorted.</summary>
    public static string Normalize<T>(T resource)
    {
        var node = JsonSerializer.SerializeToNode(resource, Json)!;
        Clean(node);
        return node.ToJsonString();
    }

    private static void Clean(JsonNode node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var property in obj.Select(p => p.Key).ToList())
                {
                    if (property.Contains("ResourceId", StringComparison.OrdinalIgnoreCase)
                        || property.EndsWith("ResourceIdentifier", StringComparison.Ordinal))
                    {
                        obj.Remove(property);
                        continue;
                    }

                    if (obj[property] is JsonValue value && value.TryGetValue<string>(out var text) && TimePattern().IsMatch(text))
                    {
                        obj[property] = "{time}";
                        continue;
                    }

                    if (obj[property] is { } child)
                    {
                        Clean(child);
                    }
                }

                break;
            case JsonArray array:
                foreach (var item in array.Where(i => i is not null))
                {
                    Clean(item!);
                }

                var sorted = array.Select(i => i?.DeepClone()).OrderBy(i => i?.ToJsonString(), StringComparer.Ordinal).ToList();
                array.Clear();
                foreach (var item in sorted)
                {
                    array.Add(item);
                }

                break;
        }
    }

    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d")]
    private static partial Regex TimePattern();

    [GeneratedRegex("bgd-[a-z0-9]{16}")]
    private static partial Regex DeploymentIdPattern();

    [GeneratedRegex("-green-[a-z0-9]{6}")]
    private static partial Regex GreenSuffixPattern();
}
