using Microsoft.Extensions.Logging;

namespace Tunicorn.Logging;

/// <summary>The logger factory of a master or a worker: every logger writes through its one <see cref="ServerLoggerProvider"/>.</summary>
/// <remarks>
/// Not Microsoft.Extensions.Logging's LoggerFactory: its lists of providers, loggers and filter rules are generic code
/// over its own types that ReadyToRun leaves to the JIT, some 25 methods compiled in every new worker before its first
/// accept, to route to a single provider that already filters by level.
/// </remarks>
internal sealed class ServerLoggerFactory(ServerLoggerProvider provider) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => provider.CreateLogger(categoryName);

    /// <exception cref="NotSupportedException">Always: the server's log lines go to its error log (the errorlog setting).</exception>
    public void AddProvider(ILoggerProvider provider) =>
        throw new NotSupportedException("Tunicorn writes its log lines to its error log (the errorlog setting); it takes no other logger provider");

    public void Dispose() => provider.Dispose();
}
