using System.Net;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Rekey.Sandbox.Protocols;
using static Rekey.Sandbox.Protocols.QueryXml;

namespace Rekey.Sandbox.RDS;

/// <summary>
/// DB cluster parameter groups and DB parameter groups: create, copy, describe, modify, reset and
/// delete; the parameters with their sources, apply types and allowed values; the default groups,
/// which cannot be changed; and the members' apply status, pending-reboot until a reboot.
/// </summary>
public sealed partial class RdsService
{
    private const int ParameterGroupQuota = 100;
    private const int ParametersPerModify = 20;
    private const string InSync = "in-sync";
    private const string PendingReboot = "pending-reboot";

    private void RegisterParameterGroupOperations()
    {
        foreach (var kind in new[] { ParameterGroup.ClusterKind, ParameterGroup.InstanceKind })
        {
            var noun = Noun(kind);
            Register($"Create{noun}", mutating: true, (r, p) => CreateParameterGroup(r, p, kind));
            Register($"Copy{noun}", mutating: true, (r, p) => CopyParameterGroup(r, p, kind));
            Register($"Describe{noun}s", mutating: false, (r, p) => DescribeParameterGroups(r, p, kind));
            Register($"Modify{noun}", mutating: true, (r, p) => ModifyParameterGroup(r, p, kind));
            Register($"Reset{noun}", mutating: true, (r, p) => ResetParameterGroup(r, p, kind));
            Register($"Delete{noun}", mutating: true, (r, p) => DeleteParameterGroup(r, p, kind));
        }

        Register("DescribeDBClusterParameters", mutating: false, (r, p) => DescribeParameters(r, p, ParameterGroup.ClusterKind));
        Register("DescribeDBParameters", mutating: false, (r, p) => DescribeParameters(r, p, ParameterGroup.InstanceKind));
    }

    /// <summary>DBClusterParameterGroup or DBParameterGroup: the API's name for each kind.</summary>
    private static string Noun(string kind) => kind == ParameterGroup.ClusterKind ? "DBClusterParameterGroup" : "DBParameterGroup";

    // ---- Lookups other operations use -----------------------------------------------------------

    /// <summary>A group by name or ARN; the default groups of every family exist without being created.</summary>
    private ParameterGroup? FindParameterGroup(string account, string region, string kind, string nameOrArn)
    {
        var name = nameOrArn.StartsWith("arn:", StringComparison.Ordinal) ? GroupNameFromArn(nameOrArn, account, region, kind) : nameOrArn.ToLowerInvariant();
        if (name is null)
        {
            return null;
        }

        var stored = _state.ParameterGroups.FirstOrDefault(g => g.Account == account && g.Region == region && g.Kind == kind && g.Name == name);
        if (stored is not null)
        {
            return stored;
        }

        var family = ParameterCatalog.Families.FirstOrDefault(f => ParameterCatalog.DefaultName(f) == name);
        return family is null ? null : DefaultGroup(account, region, kind, family);
    }

    private static ParameterGroup DefaultGroup(string account, string region, string kind, string family) => new()
    {
        Account = account,
        Region = region,
        Kind = kind,
        Name = ParameterCatalog.DefaultName(family),
        Family = family,
        Description = $"Default {(kind == ParameterGroup.ClusterKind ? "cluster " : string.Empty)}parameter group for {family}",
    };

    private static string? GroupNameFromArn(string arn, string account, string region, string kind)
    {
        var parts = arn.Split(':');
        var type = kind == ParameterGroup.ClusterKind ? "cluster-pg" : "pg";
        return parts.Length == 7 && parts[2] == "rds" && parts[3] == region && parts[4] == account && parts[5] == type ? parts[6].ToLowerInvariant() : null;
    }

    private ParameterGroup ExistingGroup(AwsRequestContext request, string kind, string nameOrArn) =>
        FindParameterGroup(request.Account, request.Region, kind, nameOrArn)
            ?? throw new AwsServiceException("DBParameterGroupNotFound", $"{Noun(kind)} not found: {nameOrArn}", HttpStatusCode.NotFound);

    /// <summary>
    /// The cluster parameter group a cluster is created, restored or modified with: it must exist
    /// (DBClusterParameterGroupNotFound) and be of the engine version's family.
    /// </summary>
    private string ClusterParameterGroupFor(AwsRequestContext request, string? requested, string engine, string engineVersion)
    {
        var family = ParameterCatalog.FamilyOf(engine, engineVersion);
        if (requested is null)
        {
            return ParameterCatalog.DefaultName(family);
        }

        var group = FindParameterGroup(request.Account, request.Region, ParameterGroup.ClusterKind, requested)
            ?? throw new AwsServiceException("DBClusterParameterGroupNotFound", $"DBClusterParameterGroup not found: {requested}", HttpStatusCode.NotFound);
        RefuseOtherFamily(group, family);
        return group.Name;
    }

    /// <summary>The DB parameter group an instance is created or modified with: it must exist (DBParameterGroupNotFound) and be of its family.</summary>
    private string InstanceParameterGroupFor(AwsRequestContext request, string? requested, string engine, string engineVersion)
    {
        var family = ParameterCatalog.FamilyOf(engine, engineVersion);
        if (requested is null)
        {
            return ParameterCatalog.DefaultName(family);
        }

        var group = FindParameterGroup(request.Account, request.Region, ParameterGroup.InstanceKind, requested)
            ?? throw new AwsServiceException("DBParameterGroupNotFound", $"DBParameterGroup not found: {requested}", HttpStatusCode.NotFound);
        RefuseOtherFamily(group, family);
        return group.Name;
    }

    private static void RefuseOtherFamily(ParameterGroup group, string family)
    {
        if (group.Family != family)
        {
            throw AwsServiceException.InvalidParameterCombination(
                $"The Parameter Group {group.Name} with DBParameterGroupFamily {group.Family} cannot be used for this instance. Please use a Parameter Group with DBParameterGroupFamily {family}");
        }
    }

    /// <summary>A cluster that takes another cluster parameter group applies it on its members' next reboot.</summary>
    private void AssociateClusterParameterGroup(DbCluster cluster, string group)
    {
        if (cluster.DBClusterParameterGroup == group)
        {
            return;
        }

        cluster.DBClusterParameterGroup = group;
        foreach (var member in _state.InstancesOf(cluster))
        {
            member.ClusterParameterGroupStatus = PendingReboot;
        }
    }

    /// <summary>An instance that takes another DB parameter group applies it on its next reboot.</summary>
    private static void AssociateInstanceParameterGroup(DbInstance instance, string group)
    {
        if (instance.DBParameterGroupName == group)
        {
            return;
        }

        instance.DBParameterGroupName = group;
        instance.ParameterApplyStatus = PendingReboot;
    }

    // ---- Operations ------------------------------------------------------------------------------

    private IEnumerable<XElement> CreateParameterGroup(AwsRequestContext request, QueryParameters p, string kind)
    {
        var name = ValidGroupName(Noun(kind) + "Name", p.Required(Noun(kind) + "Name"));
        var family = p.Required("DBParameterGroupFamily");
        var description = p.Required("Description");
        if (!ParameterCatalog.Families.Contains(family))
        {
            throw AwsServiceException.InvalidParameterValue($"ParameterGroupFamily {family} is not a valid parameter group family. The sandbox serves {string.Join(", ", ParameterCatalog.Families)}.");
        }

        var group = NewGroup(request, kind, name, family, description, ReadTags(p));
        return [GroupXml(group)];
    }

    private IEnumerable<XElement> CopyParameterGroup(AwsRequestContext request, QueryParameters p, string kind)
    {
        var noun = Noun(kind);
        var source = ExistingGroup(request, kind, p.Required($"Source{noun}Identifier"));
        var name = ValidGroupName($"Target{noun}Identifier", p.Required($"Target{noun}Identifier"));
        var copy = NewGroup(request, kind, name, source.Family, p.Required($"Target{noun}Description"), ReadTags(p));
        copy.UserValues = new Dictionary<string, UserParameter>(source.UserValues, StringComparer.Ordinal);
        return [GroupXml(copy)];
    }

    private ParameterGroup NewGroup(AwsRequestContext request, string kind, string name, string family, string description, IEnumerable<RdsTag> tags)
    {
        if (FindParameterGroup(request.Account, request.Region, kind, name) is not null)
        {
            throw new AwsServiceException("DBParameterGroupAlreadyExists", $"Parameter group {name} already exists");
        }

        if (_state.ParameterGroups.Count(g => g.Account == request.Account && g.Region == request.Region && g.Kind == kind) >= ParameterGroupQuota)
        {
            throw new AwsServiceException("DBParameterGroupQuotaExceeded", $"The quota of {ParameterGroupQuota} {Noun(kind)}s in this region is reached.");
        }

        var group = new ParameterGroup
        {
            Account = request.Account,
            Region = request.Region,
            Kind = kind,
            Name = name,
            Family = family,
            Description = description,
            Tags = [.. tags],
        };
        _state.ParameterGroups.Add(group);
        return group;
    }

    private IEnumerable<XElement> DescribeParameterGroups(AwsRequestContext request, QueryParameters p, string kind)
    {
        // "Filters: This parameter isn't currently supported."
        ReadFilters(p);
        IEnumerable<ParameterGroup> groups;
        if (p.Get(Noun(kind) + "Name") is { } name)
        {
            groups = [ExistingGroup(request, kind, name)];
        }
        else
        {
            var defaults = ParameterCatalog.Families.Select(f => DefaultGroup(request.Account, request.Region, kind, f));
            groups = defaults.Concat(_state.ParameterGroups.Where(g => g.Account == request.Account && g.Region == request.Region && g.Kind == kind));
        }

        var (page, marker) = Paginate(p, groups.OrderBy(g => g.Name, StringComparer.Ordinal));
        return [List(Noun(kind) + "s", Noun(kind), page, g => GroupXml(g).Elements().ToArray()), .. marker is null ? [] : new[] { marker }];
    }

    private IEnumerable<XElement> DescribeParameters(AwsRequestContext request, QueryParameters p, string kind)
    {
        var group = ExistingGroup(request, kind, p.Required(Noun(kind) + "Name"));
        var source = p.Get("Source");
        if (source is not (null or "user" or "system" or "engine-default"))
        {
            throw AwsServiceException.InvalidParameterValue($"Invalid value {source} for Source. Valid values: user, system, engine-default.");
        }

        var filters = ReadFilters(p, "parameter-name");
        var parameters = ParameterCatalog.For(group.Family, kind).Select(d => (Definition: d, User: group.UserValues.GetValueOrDefault(d.Name)));
        if (source is not null)
        {
            parameters = parameters.Where(x => (x.User is null ? x.Definition.Source : "user") == source);
        }

        foreach (var (_, values) in filters)
        {
            parameters = parameters.Where(x => values.Contains(x.Definition.Name));
        }

        var (page, marker) = Paginate(p, parameters);
        return [List("Parameters", "Parameter", page, x => ParameterXml(x.Definition, x.User)), .. marker is null ? [] : new[] { marker }];
    }

    private IEnumerable<XElement> ModifyParameterGroup(AwsRequestContext request, QueryParameters p, string kind)
    {
        var group = ChangeableGroup(request, kind, p.Required(Noun(kind) + "Name"));
        var changes = p.Structures("Parameters");
        if (changes.Count == 0)
        {
            throw AwsServiceException.MissingParameter("Parameters");
        }

        if (changes.Count > ParametersPerModify)
        {
            throw AwsServiceException.InvalidParameterValue($"You can modify at most {ParametersPerModify} parameters in one request.");
        }

        // Every change is checked before any is made: a refused request changes nothing.
        var accepted = new List<(ParameterDefinition Definition, string Value, string Method)>();
        foreach (var change in changes)
        {
            var definition = Definition(group, kind, change.Required("ParameterName"));
            var value = change.Get("ParameterValue") ?? throw AwsServiceException.InvalidParameterValue($"The parameter {definition.Name} needs a ParameterValue.");
            var method = ApplyMethod(definition, change.Get("ApplyMethod"));
            if (!definition.IsModifiable)
            {
                throw AwsServiceException.InvalidParameterValue($"The parameter {definition.Name} cannot be modified.");
            }

            if (!definition.Allows(value))
            {
                throw AwsServiceException.InvalidParameterValue($"Invalid parameter value: {value} for: {definition.Name} allowed values are: {definition.AllowedValues}");
            }

            accepted.Add((definition, value, method));
        }

        foreach (var (definition, value, method) in accepted)
        {
            group.UserValues[definition.Name] = new UserParameter(value, method);
        }

        if (accepted.Any(a => a.Method == PendingReboot))
        {
            MarkMembersPendingReboot(group);
        }

        return [new XElement(Noun(kind) + "Name", group.Name)];
    }

    private IEnumerable<XElement> ResetParameterGroup(AwsRequestContext request, QueryParameters p, string kind)
    {
        var group = ChangeableGroup(request, kind, p.Required(Noun(kind) + "Name"));
        var all = p.Bool("ResetAllParameters") ?? false;
        var changes = p.Structures("Parameters");
        if (all == (changes.Count > 0))
        {
            throw AwsServiceException.InvalidParameterCombination("Specify either ResetAllParameters or a list of Parameters to reset, not both and not neither.");
        }

        var reset = new List<(ParameterDefinition Definition, string Method)>();
        if (all)
        {
            // Static parameters return to their defaults on the next reboot, dynamic ones now.
            reset.AddRange(group.UserValues.Keys.Select(n => Definition(group, kind, n)).Select(d => (d, d.IsStatic ? PendingReboot : "immediate")));
        }
        else
        {
            foreach (var change in changes)
            {
                var definition = Definition(group, kind, change.Required("ParameterName"));
                reset.Add((definition, ApplyMethod(definition, change.Get("ApplyMethod"))));
            }
        }

        var pending = false;
        foreach (var (definition, method) in reset)
        {
            pending |= group.UserValues.Remove(definition.Name) && method == PendingReboot;
        }

        if (pending)
        {
            MarkMembersPendingReboot(group);
        }

        return [new XElement(Noun(kind) + "Name", group.Name)];
    }

    private IEnumerable<XElement> DeleteParameterGroup(AwsRequestContext request, QueryParameters p, string kind)
    {
        var group = ExistingGroup(request, kind, p.Required(Noun(kind) + "Name"));
        if (group.IsDefault)
        {
            throw new AwsServiceException("InvalidDBParameterGroupState", $"Default parameter group {group.Name} cannot be deleted.");
        }

        if (InUse(group))
        {
            throw new AwsServiceException(
                "InvalidDBParameterGroupState",
                $"One or more database instances are still members of this parameter group {group.Name}, so the group cannot be deleted");
        }

        _state.ParameterGroups.Remove(group);
        return [];
    }

    // ---- Rules ------------------------------------------------------------------------------------

    private ParameterGroup ChangeableGroup(AwsRequestContext request, string kind, string name)
    {
        var group = ExistingGroup(request, kind, name);
        if (group.IsDefault)
        {
            throw AwsServiceException.InvalidParameterValue($"Default parameter groups cannot be modified: {group.Name}. Copy it to a custom parameter group and modify that.");
        }

        return group;
    }

    private static ParameterDefinition Definition(ParameterGroup group, string kind, string name) =>
        ParameterCatalog.For(group.Family, kind).FirstOrDefault(d => d.Name == name)
            ?? throw AwsServiceException.InvalidParameterValue($"Could not find parameter with name: {name}");

    /// <summary>ApplyMethod is required; immediate is refused for a static parameter, as RDS does.</summary>
    private static string ApplyMethod(ParameterDefinition definition, string? method)
    {
        if (method is not ("immediate" or PendingReboot))
        {
            throw AwsServiceException.InvalidParameterValue($"Invalid ApplyMethod {method ?? "(none)"} for {definition.Name}: must be immediate or pending-reboot.");
        }

        if (method == "immediate" && definition.IsStatic)
        {
            throw AwsServiceException.InvalidParameterCombination("cannot use immediate apply method for static parameter");
        }

        return method;
    }

    /// <summary>The instances a group applies to: its clusters' members, or the instances naming a DB parameter group.</summary>
    private IEnumerable<DbInstance> Members(ParameterGroup group) => group.Kind == ParameterGroup.ClusterKind
        ? ClustersUsing(group).SelectMany(_state.InstancesOf)
        : _state.Instances.Where(i => i.Account == group.Account && i.Region == group.Region && i.DBParameterGroupName == group.Name);

    private IEnumerable<DbCluster> ClustersUsing(ParameterGroup group) =>
        _state.Clusters.Where(c => c.Account == group.Account && c.Region == group.Region && c.DBClusterParameterGroup == group.Name);

    /// <summary>A cluster with no instances still uses its cluster parameter group.</summary>
    private bool InUse(ParameterGroup group) => group.Kind == ParameterGroup.ClusterKind ? ClustersUsing(group).Any() : Members(group).Any();

    private void MarkMembersPendingReboot(ParameterGroup group)
    {
        foreach (var instance in Members(group))
        {
            if (group.Kind == ParameterGroup.ClusterKind)
            {
                instance.ClusterParameterGroupStatus = PendingReboot;
            }
            else
            {
                instance.ParameterApplyStatus = PendingReboot;
            }
        }
    }

    /// <summary>1-255 letters, digits and hyphens, a letter first, no trailing or double hyphen; stored lowercase.</summary>
    private static string ValidGroupName(string parameter, string value)
    {
        if (!GroupNamePattern().IsMatch(value))
        {
            throw RdsErrors.InvalidIdentifier(parameter);
        }

        return value.ToLowerInvariant();
    }

    private static XElement GroupXml(ParameterGroup g)
    {
        var noun = Noun(g.Kind);
        return new XElement(
            noun,
            new XElement(noun + "Name", g.Name),
            new XElement("DBParameterGroupFamily", g.Family),
            new XElement("Description", g.Description),
            new XElement(noun + "Arn", g.Arn));
    }

    private static object?[] ParameterXml(ParameterDefinition d, UserParameter? user) =>
    [
        new XElement("ParameterName", d.Name),
        Optional("ParameterValue", user?.Value ?? d.DefaultValue),
        new XElement("Description", d.Description),
        new XElement("Source", user is null ? d.Source : "user"),
        new XElement("ApplyType", d.ApplyType),
        new XElement("DataType", d.DataType),
        Optional("AllowedValues", d.AllowedValues),
        new XElement("IsModifiable", Bool(d.IsModifiable)),
        new XElement("ApplyMethod", user?.ApplyMethod ?? (d.IsStatic ? PendingReboot : "immediate")),
        new XElement("SupportedEngineModes", new XElement("member", "provisioned")),
    ];

    [GeneratedRegex("^[a-zA-Z](?!.*--)[a-zA-Z0-9-]{0,254}(?<!-)$")]
    private static partial Regex GroupNamePattern();
}
