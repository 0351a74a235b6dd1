namespace Cake.Frosting;

/// <summary>
/// The line <c>--version</c> prints first: the product's own version and commit, which the entry assembly's
/// name and version do not give when the host is started by another program. Upstream Cake.Frosting has no such service.
/// </summary>
public sealed record HostVersion(string Line);
