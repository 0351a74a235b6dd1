using System.Text.Json.Nodes;

namespace Rekey.Sandbox.Core;

/// <summary>A component whose state goes into the state file under <see cref="StateKey"/>.</summary>
public interface IStatefulComponent
{
    string StateKey { get; }

    JsonNode Save();

    void Load(JsonNode state);
}

/// <summary>
/// A component with time-driven transitions (creating -> available, DNS propagation...). The
/// runtime calls <see cref="AdvanceTo"/> under the state lock before every AWS call, DNS query and
/// sandbox API read, so transitions happen lazily at the sandbox time they are due.
/// </summary>
public interface IClockDriven
{
    void AdvanceTo(DateTimeOffset now);
}

/// <summary>A component that adds routes under /_sandbox/ (inspection, seeding, driving).</summary>
public interface ISandboxControlApi
{
    void MapRoutes(IEndpointRouteBuilder routes);
}
