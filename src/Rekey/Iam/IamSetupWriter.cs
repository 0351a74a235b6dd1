using System.Text.Json;

namespace Rekey.Iam;

/// <summary>Writes the generated documents and their page into a folder.</summary>
public static class IamSetupWriter
{
    public const string PageFileName = "README.md";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Writes every role's trust and permission documents and the page; returns the paths written.</summary>
    public static IReadOnlyList<string> Write(string folder, IamSetupInput input, IReadOnlyList<IamRole> roles)
    {
        ArgumentNullException.ThrowIfNull(roles);
        Directory.CreateDirectory(folder);
        var written = new List<string>();
        foreach (var document in roles.SelectMany(r => new[] { r.Trust }.Concat(r.PolicyParts)))
        {
            var path = Path.Combine(folder, document.FileName);
            File.WriteAllText(path, document.Document.ToJsonString(Indented) + "\n");
            written.Add(path);
        }

        var page = Path.Combine(folder, PageFileName);
        File.WriteAllText(page, IamSetupPage.Render(input, roles));
        written.Add(page);
        return written;
    }
}
