using System.Reflection;
using Rekey.Backup;
using Rekey.DressRehearsal;
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
        DressRehearsalStep.Rules,
        BlueGreenParameters.Rules,
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
