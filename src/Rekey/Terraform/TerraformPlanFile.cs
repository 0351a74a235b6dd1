using System.Text.Json;

namespace Rekey.Terraform;

/// <summary>One entry of a plan's <c>resource_changes</c>: what Terraform would do to one resource instance.</summary>
public sealed record TerraformResourceChange(
    string Address,
    string Type,
    IReadOnlyList<string> Actions,
    JsonElement? Before,
    JsonElement? After,
    IReadOnlyList<string> ReplacePaths)
{
    /// <summary>Terraform's replace is a delete and a create in either order.</summary>
    public bool Replaces => Actions.Contains("delete") && Actions.Contains("create");

    public bool Deletes => Actions.Contains("delete") && !Actions.Contains("create");

    public string? BeforeText(string attribute) => Text(Before, attribute);

    public string? AfterText(string attribute) => Text(After, attribute);

    private static string? Text(JsonElement? values, string attribute) =>
        values is { ValueKind: JsonValueKind.Object } o && o.TryGetProperty(attribute, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Null or JsonValueKind.Undefined => null,
                _ => value.GetRawText(),
            }
            : null;
}

/// <summary>A plan file the operator gave is missing, not JSON, or not a plan Rekey can read; nothing was changed.</summary>
public sealed class TerraformPlanException(string message) : Exception(message)
{
    public TerraformPlanException()
        : this("The Terraform plan could not be read.")
    {
    }

    public TerraformPlanException(string message, Exception innerException)
        : this(message + " " + innerException.Message)
    {
    }
}

/// <summary>
/// The JSON of <c>terraform show -json PLANFILE</c> (HashiCorp's "JSON Output Format": <c>format_version</c>,
/// <c>resource_changes[].address/type/change.actions/before/after/replace_paths</c>), read with System.Text.Json.
/// Only major version 1 is read: HashiCorp promises that a change within a major version only adds members.
/// </summary>
public sealed record TerraformPlanFile(string Path, string FormatVersion, IReadOnlyList<TerraformResourceChange> ResourceChanges)
{
    public const int SupportedMajor = 1;

    /// <summary>Why <paramref name="path"/> cannot be used, or null when it is a readable plan.</summary>
    public static string? ProblemWith(string path)
    {
        try
        {
            Load(path);
            return null;
        }
        catch (TerraformPlanException exception)
        {
            return exception.Message;
        }
    }

    public static TerraformPlanFile Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new TerraformPlanException(
                $"The Terraform plan {path} does not exist. Write it with `terraform plan -out=tfplan && terraform show -json tfplan > {System.IO.Path.GetFileName(path)}` and give its path.");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException exception)
        {
            throw new TerraformPlanException(
                $"The Terraform plan {path} is not JSON ({exception.Message}); give the output of `terraform show -json PLANFILE`, not the binary plan file or `terraform plan`'s text.");
        }

        using (document)
        {
            return Parse(path, document.RootElement);
        }
    }

    private static TerraformPlanFile Parse(string path, JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("format_version", out var version) || version.ValueKind != JsonValueKind.String)
        {
            throw new TerraformPlanException($"{path} has no format_version: it is not the JSON of `terraform show -json PLANFILE`.");
        }

        var text = version.GetString()!;
        var major = text.Split('.')[0];
        if (!int.TryParse(major, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number) || number != SupportedMajor)
        {
            throw new TerraformPlanException(
                $"{path} is in Terraform's JSON format {text}; Rekey reads format {SupportedMajor}.x only. "
                + $"Write the plan with a Terraform whose `terraform show -json` writes format_version {SupportedMajor}.x.");
        }

        if (!root.TryGetProperty("resource_changes", out var changes))
        {
            // A plan with no resource changes omits the member.
            return new TerraformPlanFile(path, text, []);
        }

        if (changes.ValueKind != JsonValueKind.Array)
        {
            throw new TerraformPlanException($"{path}: resource_changes is not a list; the file is not a Terraform plan in JSON.");
        }

        var list = new List<TerraformResourceChange>();
        foreach (var change in changes.EnumerateArray())
        {
            var address = StringOf(change, "address") ?? throw Malformed(path, "a resource change without an address");
            var type = StringOf(change, "type") ?? throw Malformed(path, $"{address} has no type");
            if (!change.TryGetProperty("change", out var body) || body.ValueKind != JsonValueKind.Object
                || !body.TryGetProperty("actions", out var actions) || actions.ValueKind != JsonValueKind.Array)
            {
                throw Malformed(path, $"{address} has no change.actions");
            }

            list.Add(new TerraformResourceChange(
                address,
                type,
                [.. actions.EnumerateArray().Select(a => a.GetString() ?? string.Empty)],
                body.TryGetProperty("before", out var before) ? before.Clone() : null,
                body.TryGetProperty("after", out var after) ? after.Clone() : null,
                body.TryGetProperty("replace_paths", out var paths) && paths.ValueKind == JsonValueKind.Array
                    ? [.. paths.EnumerateArray().Select(PathText)]
                    : []));
        }

        return new TerraformPlanFile(path, text, list);
    }

    // A replace path is a list of steps (attribute names and indexes); Rekey names it by its steps joined with dots.
    private static string PathText(JsonElement path) =>
        path.ValueKind == JsonValueKind.Array
            ? string.Join('.', path.EnumerateArray().Select(step => step.ValueKind == JsonValueKind.String ? step.GetString() : step.GetRawText()))
            : path.GetRawText();

    private static string? StringOf(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static TerraformPlanException Malformed(string path, string what) =>
        new($"{path} is not a Terraform plan in JSON: {what}. Give the output of `terraform show -json PLANFILE`.");
}
