namespace Rekey.Sandbox.Tests.DataPlane;

/// <summary>The real-engine sandbox with a clock that runs by itself at 30x, for what depends on its speed against the servers' real time.</summary>
public sealed class FastPostgresSandboxFixture : PostgresSandboxFixture
{
    public const double Speed = 30;

    protected override double ClockSpeed => Speed;
}
