using Cake.Core.Diagnostics;
using Cake.Frosting;
using Rekey.Build.Infrastructure;
using Rekey.Build.SandboxRehearsal;
using Spectre.Console;

namespace Rekey.Build.Tasks;

/// <summary>
/// A whole cutover with no AWS account: starts a sandbox in this process, seeds a sample account with an
/// application writing the whole time, runs DressRehearsal, Plan, Cutover and Backup for each sample cluster
/// as the workflow would, with the Terraform hand-off checked before and after, and proves that no
/// acknowledged write was lost.
/// </summary>
[TaskName("Rehearse")]
[TaskDescription("Rehearses against a local sandbox: sample clusters, a writing application, DressRehearsal, Plan, the Terraform hand-off, Cutover by both strategies, proof, then Backup.")]
public sealed class RehearseTask(IAnsiConsole console, InProcessBuild build) : AsyncFrostingTask<RekeyContext>
{
    public override async Task RunAsync(RekeyContext context)
    {
        var cancellationToken = context.CancellationToken;
        await using var rehearsal = await SampleRehearsal.StartAsync(context, cancellationToken);
        var audits = await rehearsal.CutoverAsync(context, build, cancellationToken, beforeTheWindow: true);
        var proof = RehearsalProof.Of(audits, rehearsal.Writes, rehearsal.Verdicts);
        SampleRehearsal.Show(console, proof);

        // The proof outlives the console: files to keep with the change record, and the job's summary page.
        var (json, markdown) = proof.WriteTo(context.Settings.ArtifactsDirectory);
        context.Log.Information("Rehearsal proof: {0} and {1}", markdown, json);
        context.AddToStepSummary(proof.ToMarkdown());
        SampleRehearsal.ThrowIfWritesLost(audits);
    }
}
