using Cake.Frosting;
using Rekey.Build.Infrastructure;
using Rekey.Build.Rehearsal;
using Spectre.Console;

namespace Rekey.Build.Tasks;

/// <summary>
/// A whole cutover with no AWS account: starts a sandbox in this process, seeds a sample account with an
/// application writing the whole time, runs Plan and Cutover for each sample cluster as the workflow
/// would, and proves that no acknowledged write was lost.
/// </summary>
[TaskName("Rehearse")]
[TaskDescription("Rehearses a cutover against a local sandbox: sample clusters, a writing application, Plan, Cutover, proof, then Backup.")]
public sealed class RehearseTask(IAnsiConsole console, InProcessBuild build) : AsyncFrostingTask<RekeyContext>
{
    public override async Task RunAsync(RekeyContext context)
    {
        var cancellationToken = context.CancellationToken;
        await using var rehearsal = await SampleRehearsal.StartAsync(context, cancellationToken);
        var audits = await rehearsal.CutoverAsync(context, build, cancellationToken);
        SampleRehearsal.Show(console, audits, rehearsal.Applications);
        SampleRehearsal.ThrowIfWritesLost(audits);
    }
}
