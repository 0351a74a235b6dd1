using System.Text;
using System.Text.Json;
using Rekey.Aws.RDS.Model;

namespace Rekey.Migration;

/// <summary>
/// What Preflight tells about a zero-ETL integration whose source is the cluster. A restore carries no
/// integration, and AWS documents no rename of a cluster under one (the sandbox refuses it), so the
/// integration must go before the window and come back from the new cluster after it, with every
/// setting it had: a lost data filter would replicate tables that were left out on purpose, and an
/// integration's key cannot be changed once it exists.
/// </summary>
public static class ZeroEtlIntegrations
{
    /// <summary>AWS deletes an integration only in these states (Aurora User Guide, "Deleting Aurora zero-ETL integrations").</summary>
    public static readonly IReadOnlySet<string> DeletableStatuses = new HashSet<string>(
        [IntegrationStatus.Active, IntegrationStatus.Failed, IntegrationStatus.Syncing, IntegrationStatus.NeedsAttention], StringComparer.Ordinal);

    /// <summary>The blocking problem for one integration of the cluster, with what to do in its state.</summary>
    public static string Block(Integration integration, string clusterId, string clusterArn)
    {
        ArgumentNullException.ThrowIfNull(integration);
        var name = integration.IntegrationName;
        if (string.Equals(integration.Status, IntegrationStatus.Deleting, StringComparison.Ordinal))
        {
            return $"Zero-ETL integration {name} from DB cluster {clusterId} is being deleted; wait until it is gone (aws rds describe-integrations) and run again.";
        }

        var delete = DeletableStatuses.Contains(integration.Status ?? string.Empty)
            ? $"delete it ({DeleteCommand(integration)})"
            : $"wait until it is active, then delete it ({DeleteCommand(integration)})";
        return $"DB cluster {clusterId} is the source of zero-ETL integration {name} ({integration.Status}) into {integration.TargetArn}. "
            + "The new cluster would not carry it, and AWS documents no rename of a cluster under an integration. "
            + $"Before the window, {delete}; the target's database keeps its data but stops receiving changes. "
            + $"After Verify, create it again from the new cluster with the same settings: {CreateCommand(integration, clusterArn)}; "
            + "then create the target's database from the new integration (CREATE DATABASE ... FROM INTEGRATION '<new integration id>') and point its queries there.";
    }

    public static string DeleteCommand(Integration integration)
    {
        ArgumentNullException.ThrowIfNull(integration);
        return $"aws rds delete-integration --integration-identifier {Quote(integration.IntegrationArn ?? integration.IntegrationName ?? string.Empty)}";
    }

    /// <summary>The AWS CLI command that makes the same integration from <paramref name="sourceArn"/>.</summary>
    public static string CreateCommand(Integration integration, string sourceArn)
    {
        ArgumentNullException.ThrowIfNull(integration);
        var command = new StringBuilder("aws rds create-integration")
            .Append(" --source-arn ").Append(Quote(sourceArn))
            .Append(" --target-arn ").Append(Quote(integration.TargetArn ?? string.Empty))
            .Append(" --integration-name ").Append(Quote(integration.IntegrationName ?? string.Empty));
        if (!string.IsNullOrEmpty(integration.KMSKeyId))
        {
            command.Append(" --kms-key-id ").Append(Quote(integration.KMSKeyId));
        }

        if (integration.AdditionalEncryptionContext is { Count: > 0 } context)
        {
            command.Append(" --additional-encryption-context ").Append(Quote(JsonSerializer.Serialize(context)));
        }

        if (!string.IsNullOrEmpty(integration.DataFilter))
        {
            command.Append(" --data-filter ").Append(Quote(integration.DataFilter));
        }

        if (!string.IsNullOrEmpty(integration.Description))
        {
            command.Append(" --description ").Append(Quote(integration.Description));
        }

        if (integration.Tags is { Count: > 0 } tags)
        {
            var list = tags.Select(t => new Dictionary<string, string?> { ["Key"] = t.Key, ["Value"] = t.Value }).ToList();
            command.Append(" --tags ").Append(Quote(JsonSerializer.Serialize(list)));
        }

        return command.ToString();
    }

    /// <summary>One POSIX shell word: single quotes, with each embedded quote closed, escaped and reopened.</summary>
    private static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
