using Cake.Core;

namespace Cake.Frosting;

/// <summary>A synchronous task over the typed context <typeparamref name="T"/>.</summary>
public abstract class FrostingTask<T> : IFrostingTask
    where T : ICakeContext
{
    public virtual string SkippedMessage => string.Empty;

    public virtual void Run(T context)
    {
    }

    public virtual bool ShouldRun(T context) => true;

    /// <summary>Observes a failure of <see cref="Run"/>, e.g. to announce it; the run fails regardless.</summary>
    public virtual void OnError(Exception exception, T context)
    {
    }

    public virtual void Finally(T context)
    {
    }

    Task IFrostingTask.RunAsync(ICakeContext context)
    {
        Run((T)context);
        return Task.CompletedTask;
    }

    bool IFrostingTask.ShouldRun(ICakeContext context) => ShouldRun((T)context);

    void IFrostingTask.OnError(Exception exception, ICakeContext context) => OnError(exception, (T)context);

    void IFrostingTask.Finally(ICakeContext context) => Finally((T)context);
}

/// <summary>A task whose body awaits, over the typed context <typeparamref name="T"/>.</summary>
public abstract class AsyncFrostingTask<T> : IFrostingTask
    where T : ICakeContext
{
    public virtual string SkippedMessage => string.Empty;

    public virtual Task RunAsync(T context) => Task.CompletedTask;

    public virtual bool ShouldRun(T context) => true;

    /// <summary>Observes a failure of <see cref="RunAsync"/>, e.g. to announce it; the run fails regardless.</summary>
    public virtual void OnError(Exception exception, T context)
    {
    }

    public virtual void Finally(T context)
    {
    }

    Task IFrostingTask.RunAsync(ICakeContext context) => RunAsync((T)context);

    bool IFrostingTask.ShouldRun(ICakeContext context) => ShouldRun((T)context);

    void IFrostingTask.OnError(Exception exception, ICakeContext context) => OnError(exception, (T)context);

    void IFrostingTask.Finally(ICakeContext context) => Finally((T)context);
}
