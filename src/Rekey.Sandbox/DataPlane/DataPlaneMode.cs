namespace Rekey.Sandbox.DataPlane;

/// <summary>What stands behind an aurora-postgresql cluster's endpoints.</summary>
public enum DataPlaneMode
{
    /// <summary>The in-memory model: names resolve, the simulated application writes into the sandbox's state.</summary>
    Model,

    /// <summary>A real PostgreSQL server per cluster, on the cluster's loopback address and port.</summary>
    Postgres,
}
