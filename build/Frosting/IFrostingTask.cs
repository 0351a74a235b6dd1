using Cake.Core;

namespace Cake.Frosting;

/// <summary>What the engine needs of a task class; derive from <see cref="FrostingTask{T}"/> or <see cref="AsyncFrostingTask{T}"/>.</summary>
public interface IFrostingTask
{
    /// <summary>Shown in the run's report when <see cref="ShouldRun"/> answers false.</summary>
    string SkippedMessage => string.Empty;

    Task RunAsync(ICakeContext context);

    bool ShouldRun(ICakeContext context);

    void OnError(Exception exception, ICakeContext context);

    void Finally(ICakeContext context);
}
