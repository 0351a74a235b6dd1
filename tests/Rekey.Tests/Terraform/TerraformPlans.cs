namespace Rekey.Tests.Terraform;

/// <summary>
/// Plans as `terraform show -json` writes them (HashiCorp's JSON Output Format: format_version,
/// resource_changes[].address/mode/type/name/provider_name/change.actions/before/after/after_unknown/replace_paths).
/// </summary>
public static class TerraformPlans
{
    public const string OldKey = "arn:aws:kms:us-east-1:111111111111:key/0a0a0a0a-0000-4000-8000-000000000001";
    public const string NewKey = "arn:aws:kms:us-east-1:111111111111:key/1b1b1b1b-1111-4111-8111-111111111111";

    public static string Plan(string changes, string version = "1.2") => $$"""
        {
          "format_version": "{{version}}",
          "terraform_version": "1.9.8",
          "planned_values": { "root_module": {} },
          "resource_changes": [ {{changes}} ],
          "configuration": { "root_module": {} }
        }
        """;

    public static string Cluster(string actions, string afterKey, string replacePaths = "", string id = "ledger", string beforeKey = OldKey) => $$"""
        {
          "address": "aws_rds_cluster.ledger",
          "mode": "managed",
          "type": "aws_rds_cluster",
          "name": "ledger",
          "provider_name": "registry.terraform.io/hashicorp/aws",
          "change": {
            "actions": [{{actions}}],
            "before": { "id": "{{id}}", "cluster_identifier": "{{id}}", "kms_key_id": "{{beforeKey}}", "storage_encrypted": true, "engine": "aurora-postgresql", "snapshot_identifier": null },
            "after": { "cluster_identifier": "{{id}}", "kms_key_id": "{{afterKey}}", "storage_encrypted": true, "engine": "aurora-postgresql", "snapshot_identifier": null },
            "after_unknown": { "arn": true },
            "before_sensitive": {},
            "after_sensitive": {}{{(replacePaths.Length == 0 ? string.Empty : $", \"replace_paths\": [{replacePaths}]")}}
          },
          "action_reason": "replace_because_cannot_update"
        }
        """;

    public static string Instance(string actions, string cluster = "ledger") => $$"""
        {
          "address": "aws_rds_cluster_instance.writer[0]",
          "mode": "managed",
          "type": "aws_rds_cluster_instance",
          "name": "writer",
          "index": 0,
          "provider_name": "registry.terraform.io/hashicorp/aws",
          "change": {
            "actions": [{{actions}}],
            "before": { "identifier": "{{cluster}}-1", "cluster_identifier": "{{cluster}}", "instance_class": "db.r6g.large" },
            "after": { "identifier": "{{cluster}}-1", "cluster_identifier": "{{cluster}}", "instance_class": "db.r6g.xlarge" },
            "after_unknown": {}
          }
        }
        """;

    public static string Bucket(string actions) => """
        {
          "address": "aws_s3_bucket.logs",
          "mode": "managed",
          "type": "aws_s3_bucket",
          "name": "logs",
          "provider_name": "registry.terraform.io/hashicorp/aws",
          "change": {
            "actions": [ACTIONS],
            "before": { "bucket": "ledger-logs" },
            "after": { "bucket": "ledger-logs-2" },
            "after_unknown": {},
            "replace_paths": [["bucket"]]
          }
        }
        """.Replace("ACTIONS", actions, StringComparison.Ordinal);

    public static string Write(string json)
    {
        var path = Path.Combine(Path.GetTempPath(), $"rekey-plan-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        return path;
    }
}
