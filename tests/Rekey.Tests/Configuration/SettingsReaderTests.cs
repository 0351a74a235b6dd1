using Rekey.Configuration;

namespace Rekey.Tests.Configuration;

public sealed class SettingsReaderTests
{
    private static readonly IReadOnlySet<string> HostArguments = new HashSet<string>(["target"], StringComparer.OrdinalIgnoreCase);

    private static RekeySettings Read(Dictionary<string, string?> arguments, Dictionary<string, string>? environment = null) =>
        SettingsReader.Read(
            arguments.ToDictionary(a => a.Key, a => (IReadOnlyList<string?>)[a.Value], StringComparer.OrdinalIgnoreCase),
            name => environment is not null && environment.TryGetValue(name, out var value) ? value : null,
            HostArguments);

    private static InvalidArgumentsException ReadFails(Dictionary<string, string?> arguments, Dictionary<string, string>? environment = null) =>
        Assert.Throws<InvalidArgumentsException>(() => Read(arguments, environment));

    [Fact]
    public void Every_argument_reaches_its_typed_setting()
    {
        var settings = Read(new()
        {
            ["cluster"] = "Orders-DB",
            ["region"] = "eu-west-1",
            ["regions"] = "eu-west-1, us-east-1,eu-west-1",
            ["kms-key"] = "alias/rekey-orders",
            ["create-key"] = null,
            ["old-suffix"] = "-pre",
            ["backup-account"] = "222222222222",
            ["backup-vault"] = "rekey-copies",
            ["backup-role-arn"] = "arn:aws:iam::222222222222:role/rekey-backup",
            ["sns-topic-arn"] = "arn:aws:sns:eu-west-1:111111111111:rekey",
            ["dns-server"] = "127.0.0.1:4553",
            ["confirm"] = "orders-db",
            ["environment"] = "prod",
            ["min-age"] = "1d12h",
            ["accept-new-master-secret"] = "true",
            ["artifacts"] = "out",
        });

        Assert.Equal("orders-db", settings.Cluster);
        Assert.Equal("eu-west-1", settings.Region);
        Assert.Equal(["eu-west-1", "us-east-1"], settings.Regions);
        Assert.False(settings.AllRegions);
        Assert.Equal(new KmsKeyReference("alias/rekey-orders", KmsKeyReferenceKind.AliasName), settings.KmsKey);
        Assert.True(settings.CreateKey);
        Assert.Equal("-pre", settings.OldSuffix);
        Assert.Equal("222222222222", settings.BackupAccount);
        Assert.Equal("rekey-copies", settings.BackupVault);
        Assert.Equal("arn:aws:iam::222222222222:role/rekey-backup", settings.BackupRoleArn);
        Assert.Equal("arn:aws:sns:eu-west-1:111111111111:rekey", settings.SnsTopicArn);
        Assert.Equal(new DnsServerAddress("127.0.0.1", 4553), settings.DnsServer);
        Assert.Equal("orders-db", settings.Confirm);
        Assert.Equal("prod", settings.Environment);
        Assert.Equal(TimeSpan.FromHours(36), settings.MinAge);
        Assert.True(settings.AcceptNewMasterSecret);
        Assert.Equal("out", settings.ArtifactsDirectory);
    }

    [Fact]
    public void Absent_arguments_take_their_defaults()
    {
        var settings = Read([]);

        Assert.Null(settings.Cluster);
        Assert.Equal("-old", settings.OldSuffix);
        Assert.Equal(TimeSpan.FromDays(7), settings.MinAge);
        Assert.False(settings.CreateKey);
        Assert.Equal("artifacts", settings.ArtifactsDirectory);
    }

    [Fact]
    public void Environment_variables_stand_in_for_absent_arguments_and_arguments_win()
    {
        var environment = new Dictionary<string, string>
        {
            ["AWS_REGION"] = "us-west-2",
            ["AWS_DEFAULT_REGION"] = "us-east-1",
            ["REKEY_SNS_TOPIC_ARN"] = "arn:aws:sns:us-west-2:111111111111:from-env",
            ["REKEY_DNS_SERVER"] = "127.0.0.1:53",
        };

        var fromEnvironment = Read([], environment);
        Assert.Equal("us-west-2", fromEnvironment.Region);
        Assert.Equal("arn:aws:sns:us-west-2:111111111111:from-env", fromEnvironment.SnsTopicArn);
        Assert.Equal(53, fromEnvironment.DnsServer!.Port);

        var fromArguments = Read(new() { ["region"] = "ap-northeast-1", ["dns-server"] = "localhost:5353" }, environment);
        Assert.Equal("ap-northeast-1", fromArguments.Region);
        Assert.Equal(new DnsServerAddress("localhost", 5353), fromArguments.DnsServer);
    }

    [Fact]
    public void AWS_DEFAULT_REGION_is_used_when_AWS_REGION_is_not_set()
    {
        Assert.Equal("us-east-1", Read([], new() { ["AWS_DEFAULT_REGION"] = "us-east-1" }).Region);
    }

    [Fact]
    public void A_malformed_environment_variable_is_named_in_the_error()
    {
        var error = ReadFails([], new() { ["AWS_REGION"] = "Frankfurt" });

        Assert.Contains("AWS_REGION", error.Message, StringComparison.Ordinal);
        Assert.Contains("'Frankfurt'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("cluster", "1orders", "DB cluster identifier")]
    [InlineData("cluster", "orders--db", "DB cluster identifier")]
    [InlineData("cluster", "orders-", "DB cluster identifier")]
    [InlineData("region", "eu_west_1", "AWS Region")]
    [InlineData("regions", "eu-west-1,mars", "comma-separated list of Regions")]
    [InlineData("kms-key", "my-key", "not a KMS key")]
    [InlineData("kms-key", "arn:aws:kms:eu-west-1:111111111111:key/not-a-uuid", "not a KMS key")]
    [InlineData("old-suffix", "-old-", "cannot end a DB identifier")]
    [InlineData("backup-account", "12345", "12 digits")]
    [InlineData("backup-vault", "Default", "Default vault cannot receive cross-account copies")]
    [InlineData("backup-vault", "a", "backup vault name")]
    [InlineData("backup-role-arn", "rekey-backup", "IAM role ARN")]
    [InlineData("sns-topic-arn", "arn:aws:sqs:eu-west-1:111111111111:q", "SNS topic ARN")]
    [InlineData("dns-server", "127.0.0.1", "host:port")]
    [InlineData("dns-server", "127.0.0.1:70000", "host:port")]
    [InlineData("min-age", "a week", "duration")]
    [InlineData("create-key", "yes", "not true or false")]
    public void A_malformed_value_fails_naming_the_argument_and_what_is_expected(string name, string value, string expected)
    {
        var error = ReadFails(new() { [name] = value });

        Assert.Contains($"--{name}", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_argument_fails_and_suggests_the_closest_known_one()
    {
        var error = ReadFails(new() { ["clster"] = "orders" });

        Assert.Contains("--clster is not an argument Rekey knows", error.Message, StringComparison.Ordinal);
        Assert.Contains("Did you mean --cluster?", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var error = ReadFails(new() { ["region"] = "nowhere", ["backup-account"] = "1", ["bogus"] = "x" });

        Assert.Equal(3, error.Problems.Count);
        Assert.StartsWith("3 arguments need attention", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_value_argument_given_bare_fails_with_its_usage()
    {
        var error = ReadFails(new() { ["cluster"] = null });

        Assert.Contains("--cluster needs a value: --cluster=VALUE", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_argument_given_twice_with_different_values_fails()
    {
        var arguments = new Dictionary<string, IReadOnlyList<string?>> { ["cluster"] = ["a", "b"] };

        var error = Assert.Throws<InvalidArgumentsException>(() => SettingsReader.Read(arguments, _ => null, HostArguments));

        Assert.Contains("--cluster is given 2 times", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_flag_is_on_when_bare_and_off_when_false()
    {
        Assert.True(Read(new() { ["create-key"] = string.Empty }).CreateKey);
        Assert.False(Read(new() { ["create-key"] = "false" }).CreateKey);
    }

    [Fact]
    public void The_hosts_own_arguments_are_not_checked()
    {
        var settings = Read(new() { ["target"] = "Plan", ["cluster"] = "orders" });

        Assert.Equal("orders", settings.Cluster);
    }

    [Fact]
    public void All_regions_is_its_own_setting()
    {
        var settings = Read(new() { ["regions"] = "ALL" });

        Assert.True(settings.AllRegions);
        Assert.Empty(settings.Regions);
    }

    [Theory]
    [InlineData("orders", true)]
    [InlineData("a", true)]
    [InlineData("orders-db-2", true)]
    [InlineData("", false)]
    [InlineData("2orders", false)]
    [InlineData("orders_db", false)]
    [InlineData("orders--db", false)]
    [InlineData("orders-", false)]
    public void DB_identifiers_follow_the_RDS_rules(string identifier, bool valid)
    {
        Assert.Equal(valid, SettingsReader.IsValidDbIdentifier(identifier));
    }

    [Fact]
    public void A_DB_identifier_is_at_most_63_characters()
    {
        Assert.True(SettingsReader.IsValidDbIdentifier("a" + new string('b', 62)));
        Assert.False(SettingsReader.IsValidDbIdentifier("a" + new string('b', 63)));
    }

    [Theory]
    [InlineData("min-age", "\u0667d")] // Arabic-Indic seven
    [InlineData("max-wait", "\u0969m")] // Devanagari three
    [InlineData("poll-interval", "\uFF15s")] // fullwidth five
    [InlineData("region", "eu-west-\u0661")]
    [InlineData("regions", "us-east-1,eu-west-\u0661")]
    [InlineData("backup-account", "\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661")]
    [InlineData("backup-role-arn", "arn:aws:iam::222222222222:role/r\u00e9le")]
    [InlineData("cluster", "\u212Aeyed")] // Kelvin sign, which ToLowerInvariant turns into k
    [InlineData("kms-key", "alias/cl\u00e9")]
    public void A_value_with_a_character_outside_ASCII_is_refused_naming_the_argument_and_the_character(string name, string value)
    {
        var exception = ReadFails(new() { [name] = value });

        var problem = Assert.Single(exception.Problems);
        Assert.StartsWith($"--{name}: ", problem, StringComparison.Ordinal);
        Assert.Contains("not plain ASCII", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_non_ASCII_value_from_the_environment_is_refused_naming_the_variable()
    {
        var exception = ReadFails(new(), new() { ["AWS_REGION"] = "us-east-\u0661" });

        Assert.StartsWith("AWS_REGION: ", Assert.Single(exception.Problems), StringComparison.Ordinal);
    }

    [Fact]
    public void Paths_and_the_environment_name_may_hold_any_text()
    {
        var settings = Read(new() { ["artifacts"] = "r\u00e9sultats", ["environment"] = "producci\u00f3n" });

        Assert.Equal("r\u00e9sultats", settings.ArtifactsDirectory);
        Assert.Equal("producci\u00f3n", settings.Environment);
    }

    [Theory]
    [InlineData("region", "eu-west-9")]
    [InlineData("region", "xx-north-1")]
    [InlineData("regions", "us-east-1,zz-central-1")]
    public void A_Region_the_SDKs_partition_list_does_not_know_is_refused(string name, string value)
    {
        var problem = Assert.Single(ReadFails(new() { [name] = value }).Problems);

        Assert.StartsWith($"--{name}: ", problem, StringComparison.Ordinal);
        Assert.Contains("is not a Region the AWS SDK knows", problem, StringComparison.Ordinal);
        Assert.Contains("eu-west-1", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("eu-west-1")]
    [InlineData("cn-north-1")]
    [InlineData("us-gov-west-1")]
    [InlineData("ap-southeast-5")]
    public void Regions_of_every_partition_the_SDK_knows_are_accepted(string region)
    {
        Assert.Equal(region, Read(new() { ["region"] = region }).Region);
    }

    [Fact]
    public void A_folder_under_a_file_cannot_be_written_and_the_problem_names_the_argument()
    {
        var file = Path.GetTempFileName();
        var folder = Path.Combine(Path.GetTempPath(), "rekey-writable-" + Guid.NewGuid().ToString("N")[..8], "reports");
        try
        {
            var problem = WritableFolder.ProblemWith("--artifacts", Path.Combine(file, "reports"));

            Assert.NotNull(problem);
            Assert.StartsWith("--artifacts: cannot write to the folder", problem, StringComparison.Ordinal);
            Assert.Null(WritableFolder.ProblemWith("--artifacts", folder));
            Assert.Empty(Directory.EnumerateFileSystemEntries(folder));
        }
        finally
        {
            File.Delete(file);
            Directory.Delete(Path.GetDirectoryName(folder)!, recursive: true);
        }
    }
}
