using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rekey.Build.SandboxRehearsal;

/// <summary>
/// The plans `terraform show -json` would write for a sample cluster managed by Terraform, in HashiCorp's JSON
/// output format (format_version, resource_changes[].address/mode/type/name/provider_name/change), so the
/// rehearsal shows the Terraform hand-off without Terraform: one written too early and one written after the cutover.
/// </summary>
public static class RehearsalTerraformPlans
{
    private const string Provider = "registry.terraform.io/hashicorp/aws";

    /// <summary>
    /// The operator put the new key into <c>aws_rds_cluster</c> before the cutover: Terraform would replace the
    /// cluster (kms_key_id forces a new resource), which Preflight must refuse.
    /// </summary>
    public static string WriteTooEarly(string directory, string clusterId, string engine, string currentKeyArn, string targetKeyArn) =>
        Write(directory, $"{clusterId}-terraform-too-early.json", Cluster(clusterId, engine, ["delete", "create"], currentKeyArn, targetKeyArn, replacePath: "kms_key_id"));

    /// <summary>After the cutover, with the new key's ARN in the configuration: nothing to change.</summary>
    public static string WriteAfterCutover(string directory, string clusterId, string engine, string targetKeyArn) =>
        Write(directory, $"{clusterId}-terraform-after-cutover.json", Cluster(clusterId, engine, ["no-op"], targetKeyArn, targetKeyArn, replacePath: null));

    private static JsonObject Cluster(string clusterId, string engine, string[] actions, string beforeKey, string afterKey, string? replacePath)
    {
        JsonObject Values(string key) => new()
        {
            ["id"] = clusterId,
            ["cluster_identifier"] = clusterId,
            ["engine"] = engine,
            ["kms_key_id"] = key,
            ["storage_encrypted"] = true,
            ["snapshot_identifier"] = null,
        };

        var change = new JsonObject
        {
            ["actions"] = new JsonArray([.. actions.Select(a => JsonValue.Create(a))]),
            ["before"] = Values(beforeKey),
            ["after"] = Values(afterKey),
            ["after_unknown"] = new JsonObject(),
            ["before_sensitive"] = new JsonObject(),
            ["after_sensitive"] = new JsonObject(),
        };
        if (replacePath is not null)
        {
            change["replace_paths"] = new JsonArray(new JsonArray(replacePath));
        }

        var resource = new JsonObject
        {
            ["address"] = $"aws_rds_cluster.{clusterId}",
            ["mode"] = "managed",
            ["type"] = "aws_rds_cluster",
            ["name"] = clusterId,
            ["provider_name"] = Provider,
            ["change"] = change,
        };
        if (replacePath is not null)
        {
            resource["action_reason"] = "replace_because_cannot_update";
        }

        return resource;
    }

    private static string Write(string directory, string fileName, JsonObject resourceChange)
    {
        var plan = new JsonObject
        {
            ["format_version"] = "1.2",
            ["terraform_version"] = "1.9.8",
            ["planned_values"] = new JsonObject { ["root_module"] = new JsonObject() },
            ["resource_changes"] = new JsonArray(resourceChange),
            ["configuration"] = new JsonObject { ["root_module"] = new JsonObject() },
        };

        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, fileName);
        File.WriteAllText(path, plan.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return path;
    }
}
