using System.Text.Json;

namespace Rekey.Terraform;

/// <summary>
/// Reads a Terraform plan for the resources that belong to the migrated cluster and says which would be
/// replaced or deleted, why (the attributes that force it), and the exact change to make in the configuration.
/// Before the cutover such a plan would destroy the old cluster; after it, the new one.
/// </summary>
public static class TerraformHandOff
{
    /// <summary>The resource types that carry the cluster's identifier, and the attribute that carries it.</summary>
    public static IReadOnlyDictionary<string, string> ClusterResources { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["aws_rds_cluster"] = "cluster_identifier",
        ["aws_rds_cluster_instance"] = "cluster_identifier",
        ["aws_rds_cluster_endpoint"] = "cluster_identifier",
        ["aws_rds_cluster_role_association"] = "db_cluster_identifier",
        ["aws_db_proxy_target"] = "db_cluster_identifier",
    };

    /// <summary>Arguments of <c>aws_rds_cluster</c> that force a new cluster (terraform-provider-aws ForceNew), checked when a plan gives no replace_paths.</summary>
    public static IReadOnlyList<string> ClusterForceNew { get; } =
        ["kms_key_id", "storage_encrypted", "snapshot_identifier", "restore_to_point_in_time", "cluster_identifier", "database_name", "master_username", "source_region", "s3_import"];

    /// <summary>The Terraform step the runbook and Plan state when no plan file was given.</summary>
    public static string Step(string clusterId, string? targetKeyArn) =>
        $"Terraform: if Terraform manages {clusterId}, keep its code unchanged until Verify passes, then set kms_key_id = \"{targetKeyArn ?? "<the new key's ARN>"}\" "
        + "(the ARN, not an alias) in its aws_rds_cluster and check that `terraform plan` replaces nothing; give the plan's JSON to Verify with --terraform-plan=FILE.";

    /// <summary>
    /// Every resource of <paramref name="clusterId"/> the plan would replace or delete, each with its cause and fix; empty when none.
    /// <paramref name="afterCutover"/> is true for Verify (the cluster is on the new key), false for Preflight.
    /// </summary>
    public static IReadOnlyList<string> Problems(TerraformPlanFile plan, string clusterId, bool afterCutover, string? targetKeyArn)
    {
        var problems = new List<string>();
        foreach (var change in plan.ResourceChanges.Where(c => Belongs(c, clusterId)))
        {
            if (change.Replaces)
            {
                var forcing = ForcingAttributes(change);
                var fixes = forcing.Select(a => Fix(change, a, clusterId, afterCutover, targetKeyArn)).ToList();
                problems.Add(
                    $"Terraform would replace {change.Address} ({string.Join(", ", change.Actions)}), destroying {Describe(change.Type, afterCutover)}"
                    + (forcing.Count == 0 ? "." : $", because of {string.Join(", ", forcing)}.")
                    + (fixes.Count == 0 ? " Change the configuration until `terraform plan` shows no replacement." : " In the configuration: " + string.Join(" ", fixes)));
            }
            else if (change.Deletes)
            {
                problems.Add(
                    $"Terraform would delete {change.Address}, {Describe(change.Type, afterCutover)}. Put the resource back in the configuration, "
                    + $"or if it is no longer managed here, `terraform state rm '{change.Address}'` instead of applying.");
            }
        }

        return problems;
    }

    private static bool Belongs(TerraformResourceChange change, string clusterId) =>
        ClusterResources.TryGetValue(change.Type, out var attribute)
        && (string.Equals(change.BeforeText(attribute), clusterId, StringComparison.Ordinal)
            || string.Equals(change.AfterText(attribute), clusterId, StringComparison.Ordinal)
            || (change.Type == "aws_rds_cluster" && string.Equals(change.BeforeText("id"), clusterId, StringComparison.Ordinal)));

    private static List<string> ForcingAttributes(TerraformResourceChange change)
    {
        if (change.ReplacePaths.Count > 0)
        {
            return [.. change.ReplacePaths.Distinct(StringComparer.Ordinal)];
        }

        // Older plans name no replace_paths: compare the arguments known to force a new cluster.
        return change.Type == "aws_rds_cluster"
            ? [.. ClusterForceNew.Where(a => !JsonEquals(change.Before, change.After, a))]
            : [];
    }

    private static bool JsonEquals(JsonElement? before, JsonElement? after, string attribute) =>
        string.Equals(Raw(before, attribute), Raw(after, attribute), StringComparison.Ordinal);

    private static string? Raw(JsonElement? values, string attribute) =>
        values is { ValueKind: JsonValueKind.Object } o && o.TryGetProperty(attribute, out var value) && value.ValueKind != JsonValueKind.Null ? value.GetRawText() : null;

    private static string Fix(TerraformResourceChange change, string attribute, string clusterId, bool afterCutover, string? targetKeyArn)
    {
        var root = attribute.Split('.')[0];
        var now = change.BeforeText(root);
        return root switch
        {
            "kms_key_id" when afterCutover =>
                $"set kms_key_id = \"{targetKeyArn ?? now}\" in {change.Address} (the key ARN exactly: an alias or key id spelling also reads as a change).",
            "kms_key_id" =>
                $"keep kms_key_id = \"{now}\" (the key the cluster uses now) in {change.Address} until Verify has passed, then set it to \"{targetKeyArn ?? "<the new key's ARN>"}\"; "
                + "applying the new key before the cutover would re-create the cluster empty.",
            "storage_encrypted" => $"set storage_encrypted = true in {change.Address}.",
            "snapshot_identifier" or "restore_to_point_in_time" =>
                $"remove {root} from {change.Address} or add lifecycle {{ ignore_changes = [{root}] }}: Terraform uses it only when it creates the cluster.",
            "cluster_identifier" => $"set cluster_identifier = \"{clusterId}\" in {change.Address}.",
            _ => $"set {attribute} back to {(now is null ? "its current value" : $"\"{now}\"")} in {change.Address}.",
        };
    }

    private static string Describe(string type, bool afterCutover)
    {
        var cluster = afterCutover ? "the new cluster" : "the cluster";
        return type switch
        {
            "aws_rds_cluster" => $"{cluster} itself (aws_rds_cluster)",
            "aws_rds_cluster_instance" => $"an instance of {cluster} (aws_rds_cluster_instance)",
            "aws_rds_cluster_endpoint" => $"a custom endpoint of {cluster} (aws_rds_cluster_endpoint)",
            "aws_rds_cluster_role_association" => $"an IAM role association of {cluster} (aws_rds_cluster_role_association)",
            _ => $"{type} of {cluster}",
        };
    }
}
