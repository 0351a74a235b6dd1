using System.Globalization;
using Amazon;
using Cake.Core.Diagnostics;
using Cake.Frosting;
using Rekey.Aws;
using Rekey.Configuration;
using Rekey.Inventory;
using Spectre.Console;

namespace Rekey.Build.Tasks;

/// <summary>
/// Read only. Lists the account's clusters on the AWS managed key (and unencrypted ones, with a note)
/// across the Regions given, as a table, as artifacts/inventory.json (a JSON array usable as a GitHub
/// Actions matrix) and, under GitHub Actions, as the step output <c>matrix</c>.
/// </summary>
[TaskName("Inventory")]
[TaskDescription("Lists the clusters on the AWS managed key across --regions=a,b or all; table, inventory.json and a GitHub Actions matrix.")]
public sealed class InventoryTask(IAnsiConsole console, IAwsClientFactory? awsClientFactory = null) : AsyncFrostingTask<RekeyContext>
{
    public const string FileName = "inventory.json";

    /// <summary>The clusters the scan could not judge, with the reasons; written only when there are some.</summary>
    public const string UnassessedFileName = "inventory-not-assessed.json";

    /// <summary>The step output a later job turns into its <c>strategy.matrix</c> through fromJSON.</summary>
    public const string MatrixOutputName = "matrix";

    public override async Task RunAsync(RekeyContext context)
    {
        var settings = context.Settings;
        var cancellationToken = context.CancellationToken;
        var scanner = new InventoryScanner((awsClientFactory ?? new AwsClientFactory()).WithChangeGate(new Safety.ReadOnlyTarget("Inventory")), context.Logger);

        var home = RegionEndpoint.GetBySystemName(
            settings.Region ?? settings.Regions.FirstOrDefault() ?? Amazon.Runtime.FallbackRegionFactory.GetRegionEndpoint()?.SystemName
            ?? throw new InvalidArgumentsException("Inventory needs Regions: give --regions=eu-west-1,us-east-1 (or --regions=all with --region or AWS_REGION set to a Region of the account's partition)."));
        var (account, partition) = await scanner.CallerAsync(home, cancellationToken);

        IReadOnlyList<string> regions = settings.AllRegions ? InventoryScanner.RegionsOfPartition(partition)
            : settings.Regions.Count > 0 ? settings.Regions
            : [home.SystemName];
        context.Log.Information("Inventory of account {0} in {1} Region(s): {2}", account, regions.Count, string.Join(", ", regions));

        var result = await scanner.ScanAsync(account, regions, cancellationToken);
        Show(result);

        Directory.CreateDirectory(settings.ArtifactsDirectory);
        var path = Path.Combine(settings.ArtifactsDirectory, FileName);
        await File.WriteAllTextAsync(path, result.ToJson(), cancellationToken);
        context.Log.Information("Inventory: {0} cluster(s) written to {1}", result.Clusters.Count, path);
        if (result.Unassessed.Count > 0)
        {
            // Beside the matrix, not in it: these clusters need a person, and a fleet job must not start on them.
            var unassessed = Path.Combine(settings.ArtifactsDirectory, UnassessedFileName);
            await File.WriteAllTextAsync(unassessed, result.UnassessedToJson(), cancellationToken);
            context.Log.Warning("Inventory: {0} cluster(s) could not be assessed; see above and {1}", result.Unassessed.Count, unassessed);
            foreach (var cluster in result.Unassessed.Where(_ => context.GitHubActions.IsRunningOnGitHubActions))
            {
                context.GitHubActions.Commands.Warning($"{cluster.Cluster} ({cluster.Region}) not assessed: {cluster.Reason}", new Cake.Common.Build.GitHubActions.Data.GitHubActionsAnnotation { Title = "Inventory" });
            }
        }

        if (context.GitHubActions is { IsRunningOnGitHubActions: true, Environment.Runtime.OutputPath: { } output })
        {
            // One line: the compact JSON has no line breaks, so GitHub's name=value form needs no delimiter.
            context.GitHubActions.Commands.SetOutputParameter(MatrixOutputName, result.ToMatrixJson());
            context.Log.Information("Step output {0} written to {1}", MatrixOutputName, output.FullPath);
        }
    }

    private void Show(InventoryResult result)
    {
        var table = new Table()
            .Title($"Clusters on the AWS managed key or unencrypted (account {result.Account})")
            .AddColumns("Cluster", "Region", "Engine", "Version", "Key", "Key manager", "Instances", "Encrypted", "Note");
        foreach (var cluster in result.Clusters)
        {
            table.AddRow(
                Markup.Escape(cluster.Cluster),
                cluster.Region,
                Markup.Escape(cluster.Engine ?? string.Empty),
                Markup.Escape(cluster.EngineVersion ?? string.Empty),
                Markup.Escape(cluster.KeyId ?? "-"),
                cluster.KeyManager ?? "-",
                cluster.Instances.ToString(CultureInfo.InvariantCulture),
                cluster.Encrypted ? "yes" : "[yellow]no[/]",
                Markup.Escape(cluster.Note ?? string.Empty));
        }

        console.Write(table);
        foreach (var skipped in result.Skipped)
        {
            console.MarkupLineInterpolated($"[yellow]Skipped {skipped.Region}:[/] {skipped.Reason}");
        }

        foreach (var cluster in result.Unassessed)
        {
            console.MarkupLineInterpolated($"[yellow]Not assessed {cluster.Cluster} ({cluster.Region}, status {cluster.Status ?? "unknown"}):[/] {cluster.Reason}");
        }
    }
}
