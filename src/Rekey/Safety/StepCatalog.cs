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
}
