using System.Net;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Rekey.Sandbox.Protocols;
using static Rekey.Sandbox.Protocols.QueryXml;

namespace Rekey.Sandbox.RDS;

/// <summary>
/// Zero-ETL integrations from Aurora clusters to Amazon Redshift: CreateIntegration,
/// DescribeIntegrations, DeleteIntegration. The source must be an Aurora cluster of the caller's
/// account and region; the target any well-formed Redshift namespace ARN of the same region
/// (the sandbox has no Redshift). An integration is creating, then active after
/// <see cref="SandboxDurations.IntegrationCreate"/>. A cluster with integrations cannot be renamed,
/// and deleting it fails its integrations (see RenameRefusedForIntegrations and FailIntegrationsOf).
/// </summary>
public sealed partial class RdsService
{
    private void RegisterIntegrationOperations()
    {
        Register("CreateIntegration", mutating: true, CreateIntegration);
        Register("DescribeIntegrations", mutating: false, DescribeIntegrations);
        Register("DeleteIntegration", mutating: true, DeleteIntegration);
    }

    private IEnumerable<XElement> CreateIntegration(AwsRequestContext request, QueryParameters p)
    {
        var (source, targetArn, name) = ValidateIntegration(request, p);
        string? keyArn = null;
        if (p.Get("KMSKeyId") is { } keyReference)
        {
            keyArn = UsableKey(request, keyReference).Arn;
        }

        var context = p.Structures("AdditionalEncryptionContext").ToDictionary(e => e.Required("key"), e => e.Get("value") ?? string.Empty, StringComparer.Ordinal);
        if (context.Count > 0 && keyArn is null)
        {
            throw AwsServiceException.InvalidParameterCombination("AdditionalEncryptionContext can only be specified together with KMSKeyId.");
        }

        var integration = new RdsIntegration
        {
            Account = request.Account,
            Region = request.Region,
            Id = Guid.NewGuid().ToString("D"),
            Name = name,
            SourceArn = source.Arn,
            SourceClusterResourceId = source.ResourceId,
            TargetArn = targetArn,
            KmsKeyId = keyArn,
            AdditionalEncryptionContext = context,
            Tags = [.. ReadTags(p)],
            DataFilter = p.Get("DataFilter"),
            Description = p.Get("Description"),
            CreateTime = Now,
            DueAt = Now + Durations.IntegrationCreate,
        };
        _state.Integrations.Add(integration);
        return IntegrationXml(integration);
    }

    /// <summary>
    /// The source cluster and name of a new integration, checked: a valid name not taken, an available source, a Redshift
    /// namespace in the same Region as the target, and no live integration between the two already.
    /// </summary>
    private (DbCluster Source, string TargetArn, string Name) ValidateIntegration(AwsRequestContext request, QueryParameters p)
    {
        var sourceArn = p.Required("SourceArn");
        var targetArn = p.Required("TargetArn");
        var name = p.Required("IntegrationName");
        if (name.Length > 63 || !IntegrationNamePattern().IsMatch(name))
        {
            throw AwsServiceException.InvalidParameterValue(
                $"The integration name {name} is not valid: use 1 to 63 letters, digits and hyphens, a letter first, no trailing or double hyphen.");
        }

        var source = SourceCluster(request, sourceArn);
        var target = TargetNamespacePattern().Match(targetArn);
        if (!target.Success)
        {
            throw AwsServiceException.InvalidParameterValue($"The target ARN {targetArn} is not an Amazon Redshift namespace ARN.");
        }

        // Zero-ETL integrations replicate within one Region.
        if (target.Groups["region"].Value != request.Region)
        {
            throw AwsServiceException.InvalidParameterCombination($"The target {targetArn} must be in the source's Region ({request.Region}).");
        }

        if (source.Status != "available")
        {
            throw RdsErrors.InvalidClusterState($"DB cluster {source.Identifier} is not available (it is {source.Status}).");
        }

        var existing = _state.Integrations.Where(i => i.Account == request.Account && i.Region == request.Region).ToList();
        if (existing.Any(i => i.Name == name))
        {
            throw new AwsServiceException("IntegrationAlreadyExistsFault", $"An integration named {name} already exists.");
        }

        if (existing.Any(i => i.SourceClusterResourceId == source.ResourceId && i.TargetArn == targetArn && i.Status != "failed"))
        {
            throw new AwsServiceException("IntegrationAlreadyExistsFault", $"An integration from {source.Arn} to {targetArn} already exists.");
        }

        return (source, targetArn, name);
    }

    private IEnumerable<XElement> DescribeIntegrations(AwsRequestContext request, QueryParameters p)
    {
        // RDS documents no filter names for DescribeIntegrations (only for DescribeDBClusters,
        // DescribeDBInstances and a few more): every filter is refused, so a client that needs
        // "the integrations of this cluster" must match SourceArn itself.
        ReadFilters(p);
        IEnumerable<RdsIntegration> integrations = _state.Integrations.Where(i => i.Account == request.Account && i.Region == request.Region);
        if (p.Get("IntegrationIdentifier") is { } identifier)
        {
            integrations = [Integration(request, identifier)];
        }

        var (page, marker) = Paginate(p, integrations.OrderBy(i => i.CreateTime).ThenBy(i => i.Name, StringComparer.Ordinal));
        return [new XElement("Integrations", page.Select(i => new XElement("Integration", IntegrationXml(i)))), .. marker is null ? [] : new[] { marker }];
    }

    private IEnumerable<XElement> DeleteIntegration(AwsRequestContext request, QueryParameters p)
    {
        var integration = Integration(request, p.Required("IntegrationIdentifier"));

        // AWS deletes an integration only when it is active, failed, syncing or needs attention
        // (Aurora User Guide, "Deleting Aurora zero-ETL integrations"); creating, modifying and deleting refuse.
        if (integration.Status is not ("active" or "failed" or "syncing" or "needs_attention"))
        {
            throw new AwsServiceException(
                "InvalidIntegrationStateFault",
                $"Integration {integration.Id} is {integration.Status} and can't be deleted now.");
        }

        integration.Status = "deleting";
        integration.DueAt = Now + Durations.Delete;
        return IntegrationXml(integration);
    }

    /// <summary>An integration by ARN or by the UUID in its ARN (not by name).</summary>
    private RdsIntegration Integration(AwsRequestContext request, string identifier) =>
        _state.Integrations.FirstOrDefault(i => i.Account == request.Account && i.Region == request.Region && (i.Arn == identifier || i.Id == identifier))
            ?? throw new AwsServiceException("IntegrationNotFoundFault", $"Integration {identifier} not found.", HttpStatusCode.NotFound);

    /// <summary>The source: an Aurora cluster ARN of the caller's account and region.</summary>
    private DbCluster SourceCluster(AwsRequestContext request, string sourceArn)
    {
        var parts = sourceArn.Split(':');
        if (parts.Length != 7 || parts[0] != "arn" || parts[2] != "rds" || parts[5] is not ("cluster" or "db"))
        {
            throw AwsServiceException.InvalidParameterValue($"The source ARN {sourceArn} is not an Aurora DB cluster ARN.");
        }

        if (parts[5] == "db")
        {
            // An RDS (non-Aurora) DB instance source; the sandbox serves Aurora only.
            throw new AwsServiceException("DBInstanceNotFound", $"DBInstance {parts[6]} not found.", HttpStatusCode.NotFound);
        }

        // Another account's or Region's cluster is not visible from here.
        return _state.FindCluster(request.Account, request.Region, sourceArn) ?? throw RdsErrors.ClusterNotFound(parts[6]);
    }

    /// <summary>
    /// AWS does not say what a rename does to a cluster's integrations (their SourceArn names the
    /// cluster). The hostile reading: RDS refuses the rename until the integrations are deleted,
    /// so a client that renames must handle them explicitly.
    /// </summary>
    private void RefuseRenameWithIntegrations(DbCluster cluster)
    {
        if (_state.IntegrationsOf(cluster).Any())
        {
            throw RdsErrors.InvalidClusterState(
                $"DB cluster {cluster.Identifier} is the source of zero-ETL integrations and can't be renamed; delete the integrations first.");
        }
    }

    /// <summary>
    /// Amazon Redshift documents that deleting an integration's source puts the integration in
    /// the failed state (its replicated data stays queryable). The error code is the sandbox's.
    /// </summary>
    private void FailIntegrationsOf(DbCluster cluster)
    {
        foreach (var integration in _state.IntegrationsOf(cluster).Where(i => i.Status != "deleting"))
        {
            integration.Status = "failed";
            integration.DueAt = null;
            integration.Errors.Add(new IntegrationError("SourceDeleted", $"The source DB cluster {cluster.Identifier} was deleted."));
        }
    }

    private static IEnumerable<XElement> IntegrationXml(RdsIntegration i) =>
    [
        new XElement("SourceArn", i.SourceArn),
        new XElement("TargetArn", i.TargetArn),
        new XElement("IntegrationName", i.Name),
        new XElement("IntegrationArn", i.Arn),
        .. Optional("KMSKeyId", i.KmsKeyId) is { } key ? [key] : Array.Empty<XElement>(),
        .. i.AdditionalEncryptionContext.Count == 0
            ? Array.Empty<XElement>()
            : [new XElement("AdditionalEncryptionContext", i.AdditionalEncryptionContext.Select(e => new XElement("entry", new XElement("key", e.Key), new XElement("value", e.Value))))],
        new XElement("Status", i.Status),
        RdsXml.Tags(i.Tags, "Tags"),
        .. Optional("DataFilter", i.DataFilter) is { } filter ? [filter] : Array.Empty<XElement>(),
        .. Optional("Description", i.Description) is { } description ? [description] : Array.Empty<XElement>(),
        new XElement("CreateTime", Timestamp(i.CreateTime)),
        .. i.Errors.Count == 0
            ? Array.Empty<XElement>()
            : [List("Errors", "IntegrationError", i.Errors, e => new object?[] { new XElement("ErrorCode", e.ErrorCode), Optional("ErrorMessage", e.ErrorMessage) })],
    ];

    [GeneratedRegex("^[a-zA-Z](?:-?[a-zA-Z0-9]+)*$")]
    private static partial Regex IntegrationNamePattern();

    // Redshift Serverless (namespace/UUID) and provisioned (namespace:UUID) namespace ARNs.
    [GeneratedRegex(
        "^arn:aws:redshift(?:-serverless:(?<region>[a-z0-9-]+):[0-9]{12}:namespace/|:(?<region>[a-z0-9-]+):[0-9]{12}:namespace:)" +
        "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]
    private static partial Regex TargetNamespacePattern();
}
