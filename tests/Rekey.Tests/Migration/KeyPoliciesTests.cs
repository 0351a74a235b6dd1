using System.Text.Json.Nodes;
using Rekey.Migration;

namespace Rekey.Tests.Migration;

public sealed class KeyPoliciesTests
{
    private const string Account = "111111111111";
    private const string Backup = "222222222222";

    private static JsonArray Statements(string policy) => JsonNode.Parse(policy)!["Statement"]!.AsArray();

    private static JsonObject Statement(string policy, string sid) =>
        Statements(policy).OfType<JsonObject>().Single(s => (string?)s["Sid"] == sid);

    [Fact]
    public void A_new_key_lets_this_account_administer_it_and_RDS_use_it_only_through_RDS_in_the_Region()
    {
        var policy = KeyPolicies.ForNewKey("aws", Account, "eu-west-1", backupAccount: null);

        Assert.Equal(2, Statements(policy).Count);
        var admin = Statement(policy, KeyPolicies.AdministrationSid);
        Assert.Equal($"arn:aws:iam::{Account}:root", (string?)admin["Principal"]!["AWS"]);
        Assert.Equal("kms:*", (string?)admin["Action"]);
        var rds = Statement(policy, KeyPolicies.RdsUseSid);
        Assert.Equal("rds.eu-west-1.amazonaws.com", (string?)rds["Condition"]!["StringEquals"]!["kms:ViaService"]);
        Assert.Equal(Account, (string?)rds["Condition"]!["StringEquals"]!["kms:CallerAccount"]);
        Assert.Contains("kms:CreateGrant", rds["Action"]!.AsArray().Select(a => (string?)a));
    }

    [Fact]
    public void A_new_key_with_a_backup_account_lets_that_account_copy_with_it_in_the_partition_given()
    {
        var policy = KeyPolicies.ForNewKey("aws-us-gov", Account, "us-gov-west-1", Backup);

        var backup = Statement(policy, KeyPolicies.BackupAccountSid);
        Assert.Equal($"arn:aws-us-gov:iam::{Backup}:root", (string?)backup["Principal"]!["AWS"]);
        Assert.Equal(
            ["kms:CreateGrant", "kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey*", "kms:ReEncrypt*"],
            backup["Action"]!.AsArray().Select(a => (string)a!).Order(StringComparer.Ordinal));
        Assert.True(KeyPolicies.Allows(policy, Backup, "kms:Decrypt", "kms:ReEncryptFrom", "kms:GenerateDataKeyWithoutPlaintext"));
    }

    [Theory]
    [InlineData("kms:*", "kms:Decrypt", true)]
    [InlineData("kms:ReEncrypt*", "kms:ReEncryptTo", true)]
    [InlineData("kms:GenerateDataKey*", "kms:GenerateDataKey", true)]
    [InlineData("kms:Decrypt", "kms:decrypt", true)]
    [InlineData("kms:Decrypt", "kms:Encrypt", false)]
    [InlineData("kms:ReEncrypt*", "kms:Decrypt", false)]
    public void Allows_matches_actions_with_trailing_wildcards_and_ignores_case(string granted, string asked, bool allowed)
    {
        var policy = $$"""{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{Backup}}:root"},"Action":"{{granted}}","Resource":"*"}]}""";

        Assert.Equal(allowed, KeyPolicies.Allows(policy, Backup, asked));
    }

    [Theory]
    [InlineData("\"*\"", true)]
    [InlineData("{\"AWS\":\"*\"}", true)]
    [InlineData("{\"AWS\":\"222222222222\"}", true)]
    [InlineData("{\"AWS\":[\"arn:aws:iam::333333333333:root\",\"arn:aws:iam::222222222222:root\"]}", true)]
    [InlineData("{\"AWS\":\"arn:aws:iam::333333333333:root\"}", false)]
    [InlineData("{\"Service\":\"backup.amazonaws.com\"}", false)]
    public void Allows_reads_every_principal_form(string principal, bool allowed)
    {
        var policy = $$$"""{"Statement":{"Effect":"Allow","Principal":{{{principal}}},"Action":"kms:Decrypt","Resource":"*"}}""";

        Assert.Equal(allowed, KeyPolicies.Allows(policy, Backup, "kms:Decrypt"));
    }

    [Fact]
    public void Allows_needs_every_action_covered_and_ignores_deny_statements()
    {
        var policy = $$"""
            {"Statement":[
              {"Effect":"Allow","Principal":{"AWS":"{{Backup}}"},"Action":"kms:Decrypt","Resource":"*"},
              {"Effect":"Deny","Principal":{"AWS":"{{Backup}}"},"Action":"kms:*","Resource":"*"}]}
            """;

        Assert.True(KeyPolicies.Allows(policy, Backup, "kms:Decrypt"));
        Assert.False(KeyPolicies.Allows(policy, Backup, "kms:Decrypt", "kms:CreateGrant"));
    }

    [Fact]
    public void WithBackupAccount_keeps_foreign_statements_and_replaces_its_own()
    {
        var foreign = """{"Sid":"SecurityTeamAudit","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444444444444:role/audit"},"Action":"kms:DescribeKey","Resource":"*"}""";
        var policy = KeyPolicies.WithBackupAccount($$"""{"Version":"2012-10-17","Statement":[{{foreign}}]}""", "aws", "333333333333");

        var updated = KeyPolicies.WithBackupAccount(policy, "aws", Backup);

        Assert.Equal(2, Statements(updated).Count);
        Assert.Equal("arn:aws:iam::444444444444:role/audit", (string?)Statement(updated, "SecurityTeamAudit")["Principal"]!["AWS"]);
        Assert.Equal($"arn:aws:iam::{Backup}:root", (string?)Statement(updated, KeyPolicies.BackupAccountSid)["Principal"]!["AWS"]);
        Assert.Equal("2012-10-17", (string?)JsonNode.Parse(updated)!["Version"]);
    }

    [Fact]
    public void WithBackupAccount_turns_a_single_statement_object_into_a_list()
    {
        var policy = """{"Version":"2012-10-17","Statement":{"Sid":"Only","Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"}}""";

        var updated = KeyPolicies.WithBackupAccount(policy, "aws", Backup);

        Assert.Equal(["Only", KeyPolicies.BackupAccountSid], Statements(updated).Select(s => (string?)s!["Sid"]));
    }
}
