using Rekey.Terraform;
using static Rekey.Tests.Terraform.TerraformPlans;

namespace Rekey.Tests.Terraform;

public sealed class TerraformHandOffTests
{
    private static IReadOnlyList<string> Problems(string json, bool afterCutover = true) =>
        TerraformHandOff.Problems(TerraformPlanFile.Load(Write(json)), "ledger", afterCutover, NewKey);

    [Fact]
    public void A_replace_of_the_cluster_forced_by_kms_key_id_names_the_attribute_and_the_new_key_arn_to_write()
    {
        var problem = Assert.Single(Problems(Plan(Cluster("\"delete\", \"create\"", "alias/ledger", "[\"kms_key_id\"]", beforeKey: NewKey))));

        Assert.Contains("Terraform would replace aws_rds_cluster.ledger (delete, create)", problem, StringComparison.Ordinal);
        Assert.Contains("because of kms_key_id", problem, StringComparison.Ordinal);
        Assert.Contains($"set kms_key_id = \"{NewKey}\" in aws_rds_cluster.ledger", problem, StringComparison.Ordinal);
        Assert.Contains("an alias or key id spelling also reads as a change", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_create_then_delete_replace_counts_as_a_replace()
    {
        var problem = Assert.Single(Problems(Plan(Cluster("\"create\", \"delete\"", NewKey, "[\"kms_key_id\"], [\"storage_encrypted\"]"))));

        Assert.Contains("(create, delete)", problem, StringComparison.Ordinal);
        Assert.Contains("kms_key_id, storage_encrypted", problem, StringComparison.Ordinal);
        Assert.Contains("set storage_encrypted = true", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Before_the_cutover_a_plan_that_already_names_the_new_key_is_told_to_keep_the_current_key_until_verify()
    {
        var problem = Assert.Single(Problems(Plan(Cluster("\"delete\", \"create\"", NewKey, "[\"kms_key_id\"]")), afterCutover: false));

        Assert.Contains($"keep kms_key_id = \"{OldKey}\"", problem, StringComparison.Ordinal);
        Assert.Contains($"then set it to \"{NewKey}\"", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_plan_without_replace_paths_is_read_by_comparing_the_arguments_that_force_a_new_cluster()
    {
        var problem = Assert.Single(Problems(Plan(Cluster("\"delete\", \"create\"", "alias/ledger", beforeKey: NewKey))));

        Assert.Contains("because of kms_key_id.", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_delete_of_the_clusters_instance_is_refused_with_the_state_rm_alternative()
    {
        var problem = Assert.Single(Problems(Plan(Instance("\"delete\""))));

        Assert.Contains("Terraform would delete aws_rds_cluster_instance.writer[0]", problem, StringComparison.Ordinal);
        Assert.Contains("terraform state rm 'aws_rds_cluster_instance.writer[0]'", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void An_in_place_update_and_a_no_op_are_no_problem()
    {
        Assert.Empty(Problems(Plan(Instance("\"update\"") + "," + Cluster("\"no-op\"", NewKey, beforeKey: NewKey))));
    }

    [Fact]
    public void Replacements_of_unrelated_resources_and_of_other_clusters_are_not_the_cutovers_concern()
    {
        Assert.Empty(Problems(Plan(Bucket("\"delete\", \"create\"") + "," + Cluster("\"delete\", \"create\"", NewKey, "[\"kms_key_id\"]", id: "orders") + "," + Instance("\"delete\"", "orders"))));
    }

    [Fact]
    public void A_plan_with_no_resource_changes_member_reads_as_no_change()
    {
        var path = Write("""{ "format_version": "1.0", "terraform_version": "1.0.0", "planned_values": {} }""");

        Assert.Empty(TerraformPlanFile.Load(path).ResourceChanges);
    }

    [Fact]
    public void A_missing_plan_file_says_how_to_write_one()
    {
        var problem = TerraformPlanFile.ProblemWith("/nonexistent/plan.json");

        Assert.Contains("does not exist", problem, StringComparison.Ordinal);
        Assert.Contains("terraform show -json tfplan", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_binary_or_text_plan_is_refused_as_not_json()
    {
        var problem = TerraformPlanFile.ProblemWith(Write("Terraform will perform the following actions:\n  # aws_rds_cluster.ledger must be replaced"));

        Assert.Contains("is not JSON", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_plan_in_another_major_format_version_is_refused()
    {
        var problem = TerraformPlanFile.ProblemWith(Write(Plan(Instance("\"update\""), version: "2.0")));

        Assert.Contains("format 2.0; Rekey reads format 1.x only", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_that_is_not_a_plan_is_refused()
    {
        Assert.Contains("has no format_version", TerraformPlanFile.ProblemWith(Write("""{ "values": {} }""")), StringComparison.Ordinal);
        Assert.Contains("has no change.actions", TerraformPlanFile.ProblemWith(Write("""{ "format_version": "1.2", "resource_changes": [ { "address": "a.b", "type": "a" } ] }""")), StringComparison.Ordinal);
    }
}
