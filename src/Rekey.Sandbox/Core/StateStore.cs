using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rekey.Sandbox.Core;

/// <summary>Saves and loads every <see cref="IStatefulComponent"/> as one JSON document.</summary>
public sealed class StateStore(IEnumerable<IStatefulComponent> components, SandboxClock clock, string? path)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
    private readonly IStatefulComponent[] _components = [.. components];

    public string? Path => path;

    public JsonObject Capture()
    {
        var document = new JsonObject
        {
            ["clock"] = clock.Now.ToString("O", CultureInfo.InvariantCulture),
        };
        foreach (var component in _components)
        {
            document[component.StateKey] = component.Save();
        }

        return document;
    }

    /// <summary>Writes the state file atomically (temporary file, then rename); a no-op without one.</summary>
    public void Save()
    {
        if (path is null)
        {
            return;
        }

        var temporary = path + ".tmp";
        File.WriteAllText(temporary, Capture().ToJsonString(Indented));
        File.Move(temporary, path, overwrite: true);
    }

    public void LoadIfPresent()
    {
        if (path is null || !File.Exists(path))
        {
            return;
        }

        var document = JsonNode.Parse(File.ReadAllText(path))?.AsObject()
            ?? throw new InvalidDataException($"The state file {path} is empty.");
        if (document["clock"]?.GetValue<string>() is { } savedClock)
        {
            clock.ResumeFrom(DateTimeOffset.Parse(savedClock, CultureInfo.InvariantCulture));
        }

        foreach (var component in _components)
        {
            if (document[component.StateKey] is { } state)
            {
                component.Load(state);
            }
        }
    }
}
