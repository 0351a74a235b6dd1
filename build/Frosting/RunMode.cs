namespace Cake.Frosting;

/// <summary>How the host was asked to run: lifetimes may skip what only matters when tasks really execute.</summary>
/// <param name="DryRun">--dryrun: tasks are listed, none runs.</param>
/// <param name="Exclusive">--exclusive: the targets run without their dependencies.</param>
/// <param name="Targets">The targets asked for.</param>
public sealed record RunMode(bool DryRun, bool Exclusive, IReadOnlyList<string> Targets);
