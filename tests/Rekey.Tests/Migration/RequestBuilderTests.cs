using Rekey.Migration;
using Rekey.RestoreSwap;
using Rekey.State;

namespace Rekey.Tests.Migration;

public sealed class RequestBuilderTests
{
    private const string Key = "arn:aws:kms:eu-west-1:111111111111:key/cmk";
    private static readonly DateTimeOffset T1 = new(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_restore_request_carries_every_restore_parameter_setting_of_the_source_at_T1_with_the_key_as_a_full_copy()
    {
        var source = ClusterSamples.Cluster();

        var request = Restore.BuildRequest(source, "orders", "run-1", T1, Key);

        Assert.Equal(("orders", "orders-old", "full-copy", T1.UtcDateTime, Key), (request.DBClusterIdentifier, request.SourceDBClusterIdentifier, request.RestoreType, request.RestoreToTime, request.KmsKeyId));
        Assert.Null(request.UseLatestRestorableTime);
        var carried = new Dictionary<string, object?>
        {
            ["Port"] = request.Port,
            ["DBSubnetGroup"] = request.DBSubnetGroupName,
            ["VpcSecurityGroups"] = string.Join(",", request.VpcSecurityGroupIds!),
            ["DBClusterParameterGroup"] = request.DBClusterParameterGroupName,
            ["EnabledCloudwatchLogsExports"] = string.Join(",", request.EnableCloudwatchLogsExports!),
            ["IAMDatabaseAuthenticationEnabled"] = request.EnableIAMDatabaseAuthentication,
            ["CopyTagsToSnapshot"] = request.CopyTagsToSnapshot,
            ["BacktrackWindow"] = request.BacktrackWindow,
            ["ServerlessV2ScalingConfiguration"] = $"{request.ServerlessV2ScalingConfiguration!.MinCapacity}-{request.ServerlessV2ScalingConfiguration.MaxCapacity}/{request.ServerlessV2ScalingConfiguration.SecondsUntilAutoPause}",
            ["StorageType"] = request.StorageType,
            ["NetworkType"] = request.NetworkType,
            ["Domain"] = $"{request.Domain}/{request.DomainIAMRoleName}",
            ["EngineLifecycleSupport"] = request.EngineLifecycleSupport,
            ["BackupRetentionPeriod"] = request.BackupRetentionPeriod,
            ["PreferredBackupWindow"] = request.PreferredBackupWindow,
            ["Tags"] = string.Join(",", request.Tags!.Where(t => !RekeyTags.IsRekeyTag(t.Key!)).Select(t => $"{t.Key}={t.Value}")),
            ["KmsKeyId"] = request.KmsKeyId,
        };

        // Every setting the list says the restore carries is asserted here, so a new one cannot go untested.
        var listed = CarriedSettings.Cluster.Where(s => s.Carriage == Carriage.RestoreParameter).Select(s => s.Name).ToList();
        Assert.Equal(listed.Order(StringComparer.Ordinal), carried.Keys.Order(StringComparer.Ordinal));
        foreach (var setting in CarriedSettings.Cluster.Where(s => s.Carriage == Carriage.RestoreParameter && s.Name != "KmsKeyId"))
        {
            var expected = setting.Read(source);
            var actual = carried[setting.Name] switch
            {
                bool b => b.ToString().ToLowerInvariant(),
                IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
                var other => other?.ToString(),
            };
            Assert.True(expected == actual, $"{setting.Name}: source {expected}, request {actual}");
        }

        Assert.Equal("orders-options", request.OptionGroupName);

        // Protection comes in Finalize: a restore that ends failed cannot be modified, and so could not be deleted.
        Assert.True(source.DeletionProtection);
        Assert.False(request.DeletionProtection);
    }

    [Fact]
    public void The_restore_request_tags_the_new_cluster_as_the_target_and_drops_the_sources_rekey_tags()
    {
        var request = Restore.BuildRequest(ClusterSamples.Cluster(), "orders", "run-7", T1, Key);

        var tags = request.Tags!.ToDictionary(t => t.Key!, t => t.Value);
        Assert.Equal(RekeyTags.TargetRole, tags[RekeyTags.Role]);
        Assert.Equal("orders-old", tags[RekeyTags.Source]);
        Assert.Equal("run-7", tags[RekeyTags.RunId]);
        Assert.DoesNotContain(RekeyTags.Lock, tags.Keys);
        Assert.DoesNotContain(RekeyTags.T1, tags.Keys);
    }

    [Fact]
    public void The_restore_request_leaves_out_what_the_source_does_not_use()
    {
        var source = ClusterSamples.Cluster();
        source.BacktrackWindow = 0;
        source.EnabledCloudwatchLogsExports = [];
        source.ServerlessV2ScalingConfiguration = null;
        source.DomainMemberships = null;

        var request = Restore.BuildRequest(source, "orders", "run-1", T1, Key);

        Assert.Null(request.BacktrackWindow);
        Assert.Null(request.EnableCloudwatchLogsExports);
        Assert.Null(request.ServerlessV2ScalingConfiguration);
        Assert.Null(request.Domain);
    }

    [Fact]
    public void The_instance_request_carries_every_instance_setting_of_the_old_instance_under_the_original_name()
    {
        var old = ClusterSamples.Instance();

        var request = CreateInstances.BuildRequest(old, "orders-1", "orders");

        Assert.Equal(("orders-1", "orders", "aurora-mysql"), (request.DBInstanceIdentifier, request.DBClusterIdentifier, request.Engine));
        var carried = new Dictionary<string, object?>
        {
            ["DBInstanceClass"] = request.DBInstanceClass,
            ["AvailabilityZone"] = request.AvailabilityZone,
            ["PromotionTier"] = request.PromotionTier,
            ["DBParameterGroup"] = request.DBParameterGroupName,
            ["MonitoringInterval"] = request.MonitoringInterval,
            ["MonitoringRoleArn"] = request.MonitoringRoleArn,
            ["PerformanceInsightsEnabled"] = request.EnablePerformanceInsights,
            ["PerformanceInsightsRetentionPeriod"] = request.PerformanceInsightsRetentionPeriod,
            ["AutoMinorVersionUpgrade"] = request.AutoMinorVersionUpgrade,
            ["PubliclyAccessible"] = request.PubliclyAccessible,
            ["CACertificateIdentifier"] = request.CACertificateIdentifier,
            ["PreferredMaintenanceWindow"] = request.PreferredMaintenanceWindow,
            ["CopyTagsToSnapshot"] = request.CopyTagsToSnapshot,
            ["Tags"] = string.Join(",", request.Tags!.Select(t => $"{t.Key}={t.Value}")),
        };

        Assert.Equal(CarriedSettings.Instance.Select(s => s.Name).Order(StringComparer.Ordinal), carried.Keys.Order(StringComparer.Ordinal));
        foreach (var setting in CarriedSettings.Instance)
        {
            var expected = setting.Read(old);
            var actual = carried[setting.Name] switch
            {
                bool b => b.ToString().ToLowerInvariant(),
                IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
                var other => other?.ToString(),
            };
            Assert.True(expected == actual, $"{setting.Name}: old {expected}, request {actual}");
        }

        Assert.Equal("arn:aws:kms:eu-west-1:111111111111:key/pi", request.PerformanceInsightsKMSKeyId);
        Assert.Equal("advanced", request.DatabaseInsightsMode);
    }

    [Fact]
    public void The_instance_request_sets_no_monitoring_or_Performance_Insights_the_old_instance_did_not_have()
    {
        var old = ClusterSamples.Instance();
        old.MonitoringInterval = 0;
        old.PerformanceInsightsEnabled = false;

        var request = CreateInstances.BuildRequest(old, "orders-1", "orders");

        Assert.Null(request.MonitoringInterval);
        Assert.Null(request.MonitoringRoleArn);
        Assert.Null(request.EnablePerformanceInsights);
        Assert.Null(request.PerformanceInsightsKMSKeyId);
        Assert.Null(request.PerformanceInsightsRetentionPeriod);
    }
}
