using Cake.Core.Diagnostics;
using Microsoft.Extensions.Logging;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace Rekey.Build.Infrastructure;

/// <summary>The domain's ILogger over Cake's log, so everything lands in one output with Cake's verbosity.</summary>
internal sealed class CakeLogger(ICakeLog log) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel switch
    {
        LogLevel.Trace or LogLevel.Debug => log.Verbosity >= Verbosity.Diagnostic,
        LogLevel.Information => log.Verbosity >= Verbosity.Normal,
        LogLevel.None => false,
        _ => true,
    };

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
        {
            return;
        }

        var message = formatter(state, exception);
        switch (logLevel)
        {
            case LogLevel.Critical or LogLevel.Error:
                log.Error("{0}", message);
                break;
            case LogLevel.Warning:
                log.Warning("{0}", message);
                break;
            case LogLevel.Information:
                log.Information("{0}", message);
                break;
            default:
                log.Debug("{0}", message);
                break;
        }
    }
}
