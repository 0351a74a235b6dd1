using Cake.Core;

namespace Cake.Frosting;

/// <summary>A synchronous task over Cake's own context.</summary>
public abstract class FrostingTask : FrostingTask<ICakeContext>
{
}

/// <summary>
/// A synchronous task over the typed context <typeparamref name="T"/>. As in Cake.Frosting, a task that overrides
/// <see cref="ShouldRun"/> gets it as its criteria, and one that overrides <see cref="OnError"/> handles its own
/// failure: the run goes on unless <see cref="OnError"/> throws.
/// </summary>
public abstract class FrostingTask<T> : IFrostingTask
    where T : ICakeContext
{
    public virtual void Run(T context)
    {
    }

    public virtual bool ShouldRun(T context) => true;

    public virtual void OnError(Exception exception, T context)
    {
    }

    public virtual void Finally(T context)
    {
    }

    Task IFrostingTask.RunAsync(ICakeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Run((T)context);
        return Task.CompletedTask;
    }

    bool IFrostingTask.ShouldRun(ICakeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return ShouldRun((T)context);
    }

    void IFrostingTask.OnError(Exception exception, ICakeContext context)
    {
        ArgumentNullException.ThrowIfNull(exception);
        ArgumentNullException.ThrowIfNull(context);
        OnError(exception, (T)context);
    }

    void IFrostingTask.Finally(ICakeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Finally((T)context);
    }
}

/// <summary>A task whose body awaits, over Cake's own context.</summary>
public abstract class AsyncFrostingTask : AsyncFrostingTask<ICakeContext>
{
}

/// <summary>A task whose body awaits, over the typed context <typeparamref name="T"/>; see <see cref="FrostingTask{T}"/>.</summary>
public abstract class AsyncFrostingTask<T> : IFrostingTask
    where T : ICakeContext
{
    public virtual Task RunAsync(T context) => Task.CompletedTask;

    public virtual bool ShouldRun(T context) => true;

    public virtual void OnError(Exception exception, T context) => ArgumentNullException.ThrowIfNull(exception);

    public virtual void Finally(T context)
    {
    }

    Task IFrostingTask.RunAsync(ICakeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return RunAsync((T)context);
    }

    bool IFrostingTask.ShouldRun(ICakeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return ShouldRun((T)context);
    }

    void IFrostingTask.OnError(Exception exception, ICakeContext context)
    {
        ArgumentNullException.ThrowIfNull(exception);
        ArgumentNullException.ThrowIfNull(context);
        OnError(exception, (T)context);
    }

    void IFrostingTask.Finally(ICakeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Finally((T)context);
    }
}
