using Cake.Core;

namespace Cake.Frosting;

public interface IFrostingSetup
{
    void Setup(ICakeContext context, ISetupContext info);
}

public interface IFrostingTeardown
{
    void Teardown(ICakeContext context, ITeardownContext info);
}

/// <summary>Runs once before the first task and once after the last, whatever happened in between.</summary>
public interface IFrostingLifetime : IFrostingSetup, IFrostingTeardown
{
}

public interface IFrostingTaskSetup
{
    void Setup(ICakeContext context, ITaskSetupContext info);
}

public interface IFrostingTaskTeardown
{
    void Teardown(ICakeContext context, ITaskTeardownContext info);
}

/// <summary>Runs around every task, skipped ones included.</summary>
public interface IFrostingTaskLifetime : IFrostingTaskSetup, IFrostingTaskTeardown
{
}

public abstract class FrostingLifetime : FrostingLifetime<ICakeContext>
{
}

public abstract class FrostingLifetime<TContext> : IFrostingLifetime
    where TContext : ICakeContext
{
    public abstract void Setup(TContext context, ISetupContext info);

    public abstract void Teardown(TContext context, ITeardownContext info);

    void IFrostingSetup.Setup(ICakeContext context, ISetupContext info)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(info);
        Setup((TContext)context, info);
    }

    void IFrostingTeardown.Teardown(ICakeContext context, ITeardownContext info)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(info);
        Teardown((TContext)context, info);
    }
}

public abstract class FrostingTaskLifetime : FrostingTaskLifetime<ICakeContext>
{
}

public abstract class FrostingTaskLifetime<TContext> : IFrostingTaskLifetime
    where TContext : ICakeContext
{
    public abstract void Setup(TContext context, ITaskSetupContext info);

    public abstract void Teardown(TContext context, ITaskTeardownContext info);

    void IFrostingTaskSetup.Setup(ICakeContext context, ITaskSetupContext info)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(info);
        Setup((TContext)context, info);
    }

    void IFrostingTaskTeardown.Teardown(ICakeContext context, ITaskTeardownContext info)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(info);
        Teardown((TContext)context, info);
    }
}
