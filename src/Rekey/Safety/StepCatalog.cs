using System.Reflection;
using Rekey.Backup;
using Rekey.Forecast;
using Rekey.Migration;
using Rekey.RestoreSwap;
using Rekey.BlueGreen;

namespace Rekey.Safety;

/// <summary>The rules of every step that changes AWS, by task name; a step not listed here may change nothing.</summary>
public static class StepCatalog
{
    public static IReadOnlyList<StepRules> All { get; } =
    [
        PrepareKey.Rules,
        DressRehearsal.Rules,
        PrepareBlueGreenParameters.Rules,
        Fence.Rules,
        Restore.Rules,
        CreateInstances.Rules,
        RestoreSwap.Finalize.Rules,
        CreateBlueGreen.Rules,
        WaitForGreen.Rules,
        VerifyGreen.Rules,
        Switchover.Rules,
        VerifyBlueGreen.Rules,
        Rollback.Rules,
        Cleanup.Rules,
        ConfigureBackup.Rules,
        VerifyBackup.Rules,
    ];

    private static readonly Dictionary<string, StepRules> ByName = All.ToDictionary(r => r.Step, StringComparer.OrdinalIgnoreCase);

    public static StepRules? Find(string step) => ByName.GetValueOrDefault(step);

    /// <summary>
    /// What the steps that change nothing may read, and what the host reads outside any step (the caller, the target
    /// key, the final re-read). Kept here, not in <see cref="All"/>: the guard refuses every change of a step not there.
    /// </summary>
    public static IReadOnlyList<StepRules> ReadOnly { get; } =
    [
        StepRules.ReadOnly(
            "Preflight",
            StepRules.ClusterReads,
            StepRules.AwsClockRead,
            StepRules.DeploymentRead,
            StepRules.Kms("DescribeKey", "GetKeyPolicy"),
            StepRules.Rds("DescribeDBClusterParameters", "DescribeDBClusterParameterGroups", "DescribeDBProxies", "DescribeDBProxyTargets",
                "DescribeEventSubscriptions", "DescribeGlobalClusters", "DescribeIntegrations"),
            StepRules.AutoScaling("DescribeScalableTargets", "DescribeScalingPolicies")),
        StepRules.ReadOnly("Verify", StepRules.ClusterReads, StepRules.AwsClockRead, StepRules.TargetKeyRead, StepRules.CloudWatch("GetMetricData")),

        // The Cutover target's own reads, around its steps: the target key and the final re-read of the cluster.
        StepRules.ReadOnly("Cutover", StepRules.ClusterReads, StepRules.AwsClockRead, StepRules.TargetKeyRead, StepRules.DeploymentRead),

        // ProvisionGreen's own read at the end: the deployment and green, as AWS shows them when it reports green ready.
        StepRules.ReadOnly("ProvisionGreen", StepRules.ClusterReads, StepRules.AwsClockRead, StepRules.TargetKeyRead, StepRules.DeploymentRead),
    ];

    private static readonly Dictionary<string, StepRules> ReadOnlyByName = ReadOnly.ToDictionary(r => r.Step, StringComparer.OrdinalIgnoreCase);

    /// <summary>The operations <paramref name="step"/> may read; null for a step that declares nothing.</summary>
    public static IReadOnlySet<string>? ReadsOf(string step) => (Find(step) ?? ReadOnlyByName.GetValueOrDefault(step))?.Reads;

    /// <summary>
    /// The class that declares a step's rules next to its logic (<c>Rekey.BlueGreen.CreateBlueGreen</c>), found among the
    /// static <see cref="StepRules"/> properties of this assembly.
    /// </summary>
    public static Type DeclaringTypeOf(StepRules rules) =>
        typeof(StepCatalog).Assembly.GetTypes()
            .Where(t => t != typeof(StepCatalog))
            .FirstOrDefault(t => t.GetProperties(BindingFlags.Public | BindingFlags.Static).Any(p => p.PropertyType == typeof(StepRules) && ReferenceEquals(p.GetValue(null), rules)))
        ?? throw new InvalidOperationException($"No class of {typeof(StepCatalog).Assembly.GetName().Name} declares the rules of {rules?.Step}.");

    /// <summary>The step's source file, from the repository's root: namespaces follow folders (<c>src/Rekey/BlueGreen/CreateBlueGreen.cs</c>).</summary>
    public static string SourceOf(StepRules rules)
    {
        var type = DeclaringTypeOf(rules);
        return "src/" + type.Namespace!.Replace('.', '/') + "/" + type.Name + ".cs";
    }
}
