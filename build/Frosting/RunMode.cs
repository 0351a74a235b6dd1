namespace Cake.Frosting;

/// <summary>How the host was asked to run: lifetimes may skip what only matters when tasks really execute.</summary>
/// <param name="DryRun">--dryrun: tasks are listed, none runs.</param>
public sealed record RunMode(bool DryRun);
