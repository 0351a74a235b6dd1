using System.Text.Json.Nodes;

namespace Rekey.Sandbox.Tests.KeyManagementService;

/// <summary>KMS and RDS steps through the AWS CLI that the KMS, Backup and CloudWatch tests share.</summary>
internal static class KmsTestData
{
    /// <summary>A key policy with the account's root (kms:*) plus one extra statement.</summary>
    public static string PolicyWith(string account, JsonObject extraStatement) => new JsonObject
    {
        ["Version"] = "2012-10-17",
        ["Statement"] = new JsonArray(
            new JsonObject
            {
                ["Sid"] = "Enable IAM User Permissions",
                ["Effect"] = "Allow",
                ["Principal"] = new JsonObject { ["AWS"] = $"arn:aws:iam::{account}:root" },
                ["Action"] = "kms:*",
                ["Resource"] = "*",
            },
            extraStatement),
    }.ToJsonString();

    /// <summary>The statement Rekey writes so that a backup account can use the key for copies.</summary>
    public static JsonObject CopyStatementFor(string principal) => new()
    {
        ["Sid"] = "Allow the backup account to copy recovery points",
        ["Effect"] = "Allow",
        ["Principal"] = new JsonObject { ["AWS"] = principal },
        ["Action"] = new JsonArray("kms:DescribeKey", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:CreateGrant"),
        ["Resource"] = "*",
    };

    public static async Task<JsonNode> CreateKeyAsync(this SessionCli cli, params string[] extra) =>
        (await cli.JsonAsync(["kms", "create-key", .. extra]))["KeyMetadata"]!;

    public static Task<JsonNode> CreateClusterAsync(this SessionCli cli, string identifier, params string[] extra) =>
        cli.JsonAsync([
            "rds", "create-db-cluster", "--db-cluster-identifier", identifier, "--engine", "aurora-postgresql",
            "--master-username", "postgres", "--master-user-password", "sandbox-password", .. extra]);

    public static Task<JsonNode> CreateInstanceAsync(this SessionCli cli, string cluster, string identifier) =>
        cli.JsonAsync(
            "rds", "create-db-instance", "--db-instance-identifier", identifier, "--db-cluster-identifier", cluster,
            "--engine", "aurora-postgresql", "--db-instance-class", "db.r6g.large");

    public static async Task<JsonNode> DescribeKeyAsync(this SessionCli cli, string keyId) =>
        (await cli.JsonAsync("kms", "describe-key", "--key-id", keyId))["KeyMetadata"]!;
}
