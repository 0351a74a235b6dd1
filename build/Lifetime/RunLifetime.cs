using Cake.Core;
using Cake.Core.Diagnostics;
using Cake.Frosting;

namespace Rekey.Build.Lifetime;

/// <summary>Says at the start what the run will do and to which cluster, and at the end how it went.</summary>
public sealed class RunLifetime : FrostingLifetime<RekeyContext>
{
    public override void Setup(RekeyContext context, ISetupContext info)
    {
        var settings = context.Settings;
        var steps = string.Join(" -> ", info.TasksToExecute.Select(t => t.Name));
        context.Log.Information("Rekey {0}: {1}", info.TargetTask.Name, steps);
        if (settings.Cluster is not null)
        {
            context.Log.Information(
                "Cluster {0} in {1}{2}",
                settings.Cluster,
                settings.Region ?? "the default Region",
                settings.Environment is null ? string.Empty : $" ({settings.Environment})");
        }
    }

    public override void Teardown(RekeyContext context, ITeardownContext info)
    {
        if (!info.Successful)
        {
            context.Log.Error("Rekey stopped: {0}", info.ThrownException?.GetBaseException().Message ?? "a step failed");
        }
    }
}
