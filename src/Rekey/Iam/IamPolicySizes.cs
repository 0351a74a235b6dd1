using System.Globalization;

namespace Rekey.Iam;

/// <summary>One document's size against IAM's quotas.</summary>
/// <param name="Role">The role the document belongs to.</param>
/// <param name="Document">The document.</param>
/// <param name="Characters">Its length as IAM counts it: minified JSON, whitespace outside strings not counted.</param>
/// <param name="Limit">The quota it is held against.</param>
public sealed record IamDocumentSize(IamRole Role, IamDocument Document, int Characters, int Limit)
{
    public bool Fits => Characters <= Limit;
}

/// <summary>
/// IAM's size quotas (IAM User Guide, "IAM and AWS STS quotas"): a managed policy holds at most 6,144 characters,
/// the inline policies of one role at most 10,240 together, a role trust policy at most 2,048 (raisable to 4,096),
/// all counted without whitespace. A role's permissions are written in parts that each fit a managed policy, and
/// their total is checked against the inline quota, so the role can be made either way.
/// </summary>
public static class IamPolicySizes
{
    public const int ManagedPolicy = 6144;
    public const int InlinePerRole = 10240;
    public const int TrustPolicy = 2048;

    /// <summary>Every document of the roles against its quotas: permissions against the managed and the per-role inline limits, trust against its own.</summary>
    public static IReadOnlyList<IamDocumentSize> Measure(IEnumerable<IamRole> roles)
    {
        ArgumentNullException.ThrowIfNull(roles);
        var sizes = new List<IamDocumentSize>();
        foreach (var role in roles)
        {
            foreach (var part in role.PolicyParts)
            {
                sizes.Add(new IamDocumentSize(role, part, CharactersOf(part), ManagedPolicy));
            }

            // The role's inline policies together: every part, whose total is what the per-role quota counts.
            sizes.Add(new IamDocumentSize(role, role.Policy, role.PolicyParts.Sum(CharactersOf), InlinePerRole));
            sizes.Add(new IamDocumentSize(role, role.Trust, CharactersOf(role.Trust), TrustPolicy));
        }

        return sizes;
    }

    /// <summary>Minified, as IAM counts (System.Text.Json writes no whitespace by default).</summary>
    public static int CharactersOf(IamDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        return document.Document.ToJsonString().Length;
    }

    public static string Describe(IamDocumentSize size)
    {
        ArgumentNullException.ThrowIfNull(size);
        var kind = size.Limit switch
        {
            ManagedPolicy => "managed policy",
            InlinePerRole => $"inline policies of {size.Role.Name} together: {string.Join(" + ", size.Role.PolicyParts.Select(d => d.FileName))}",
            _ => "trust policy",
        };
        var name = size.Limit == InlinePerRole ? size.Role.Name : size.Document.FileName;
        return string.Create(CultureInfo.InvariantCulture, $"{name}: {size.Characters:N0} of {size.Limit:N0} characters ({kind}){(size.Fits ? string.Empty : " OVER")}");
    }

    /// <summary>What to do about documents over a quota; empty when all fit.</summary>
    public static IReadOnlyList<string> Problems(IEnumerable<IamDocumentSize> sizes, bool fleet) =>
        [.. sizes.Where(s => !s.Fits).Select(s =>
            $"{Describe(s)}: IAM refuses it. " + (fleet
                ? "Give fewer roles to pass (iam:PassRole) or split the role's grants."
                : $"Generate one tag-scoped role set for the environment instead: --{Configuration.ArgumentNames.IamScope}=fleet."))];
}
