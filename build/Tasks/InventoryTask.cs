using System.Globalization;
using Amazon;
using Cake.Core.Diagnostics;
using Cake.Frosting;
using Rekey.Aws;
using Rekey.Configuration;
using Rekey.Fleet;
using Spectre.Console;

namespace Rekey.Build.Tasks;

/// <summary>
/// Read only. Lists the account's clusters that are not on a customer managed key of the account (aws/rds,
/// an AWS owned key, unencrypted) across the Regions given, as a table, as artifacts/inventory.json (a JSON
/// array usable as a GitHub Actions matrix) and, under GitHub Actions, as the step output <c>matrix</c>;
/// every cluster left out is named with its reason in artifacts/inventory-left-out.json and the log.
/// </summary>
[TaskName("Inventory")]
[TaskDescription("Lists the clusters not on a customer managed key (aws/rds, AWS owned, unencrypted) across --regions=a,b or all; table, inventory.json and a GitHub Actions matrix.")]
public sealed class InventoryTask(IAnsiConsole console, IAwsClientFactory? awsClientFactory = null) : AsyncFrostingTask<RekeyContext>
{
    public const string FileName = "inventory.json";

    /// <summary>The clusters the scan saw and did not list, each with its reason.</summary>
    public const string LeftOutFileName = "inventory-left-out.json";

    /// <summary>The step output a later job turns into its <c>strategy.matrix</c> through fromJSON.</summary>
    public const string MatrixOutputName = "matrix";

    public override async Task RunAsync(RekeyContext context)
    {
        var settings = context.Settings;
        var cancellationToken = context.CancellationToken;
        var scanner = new Inventory(awsClientFactory ?? new AwsClientFactory(), context.Logger);

        var home = RegionEndpoint.GetBySystemName(
            settings.Region ?? settings.Regions.FirstOrDefault() ?? Amazon.Runtime.FallbackRegionFactory.GetRegionEndpoint()?.SystemName
            ?? throw new InvalidArgumentsException("Inventory needs Regions: "
                + "give --regions=eu-west-1,us-east-1 (or --regions=all with --region or AWS_REGION set to a Region of the account's partition)."));
        var (account, partition) = await scanner.CallerAsync(home, cancellationToken);

        IReadOnlyList<string> regions = settings.AllRegions ? Inventory.RegionsOfPartition(partition)
            : settings.Regions.Count > 0 ? settings.Regions
            : [home.SystemName];
        context.Log.Information("Inventory of account {0} in {1} Region(s): {2}", account, regions.Count, string.Join(", ", regions));

        var result = await scanner.ScanAsync(account, regions, cancellationToken);
        Show(result);

        Directory.CreateDirectory(settings.ArtifactsDirectory);
        var path = Path.Combine(settings.ArtifactsDirectory, FileName);
        await File.WriteAllTextAsync(path, result.ToJson(), cancellationToken);
        context.Log.Information("Inventory: {0} cluster(s) written to {1}", result.Clusters.Count, path);
        var leftOutPath = Path.Combine(settings.ArtifactsDirectory, LeftOutFileName);
        await File.WriteAllTextAsync(leftOutPath, result.LeftOutJson(), cancellationToken);
        context.Log.Information("Inventory: {0} cluster(s) left out, each with its reason, written to {1}", result.LeftOut.Count, leftOutPath);
        foreach (var left in result.LeftOut)
        {
            context.Log.Verbose("Left out {0} in {1}: {2}", left.Cluster, left.Region, left.Reason);
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
            .Title($"Clusters not on a customer managed key of the account: aws/rds, AWS owned or unencrypted (account {result.Account})")
            .AddColumns("Cluster", "Region", "Engine", "Version", "Encryption", "Key", "Key manager", "Instances", "Backups", "Note");
        foreach (var cluster in result.Clusters)
        {
            table.AddRow(
                Markup.Escape(cluster.Cluster),
                cluster.Region,
                Markup.Escape(cluster.Engine ?? string.Empty),
                Markup.Escape(cluster.EngineVersion ?? string.Empty),
                cluster.Encrypted ? Markup.Escape(cluster.StorageEncryptionType ?? "sse-kms") : "[yellow]none[/]",
                Markup.Escape(cluster.Key ?? cluster.KeyId ?? "-"),
                cluster.KeyManager ?? "-",
                cluster.Instances.ToString(CultureInfo.InvariantCulture),
                Markup.Escape(cluster.Backups ?? string.Empty),
                Markup.Escape(cluster.Note ?? string.Empty));
        }

        console.Write(table);
        foreach (var skipped in result.Skipped)
        {
            console.MarkupLineInterpolated($"[yellow]Skipped {skipped.Region}:[/] {skipped.Reason}");
        }
    }
}
