using Cake.Core;

namespace Cake.Frosting;

/// <summary>What the engine needs of a task class; derive from <see cref="FrostingTask{T}"/> or <see cref="AsyncFrostingTask{T}"/>.</summary>
public interface IFrostingTask
{
    Task RunAsync(ICakeContext context);

    bool ShouldRun(ICakeContext context);

    /// <summary>
    /// Shown when <see cref="ShouldRun"/> answers false. The base classes do not declare it: a task gives one by
    /// naming <see cref="IFrostingTask"/> among its bases and declaring a public <c>SkippedMessage</c>.
    /// </summary>
    string SkippedMessage => string.Empty;

    void OnError(Exception exception, ICakeContext context);

    void Finally(ICakeContext context);
}
