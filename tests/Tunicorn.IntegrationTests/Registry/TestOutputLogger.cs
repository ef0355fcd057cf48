using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Tunicorn.IntegrationTests.Registry;

/// <summary>
/// Collects the client library's log lines (with the time since the test started) so that a test can print them
/// when it ends: the client under test explains its fail-overs and ejections there.
/// </summary>
internal sealed class TestOutputLogger : ILoggerProvider, ILoggerFactory, ILogger
{
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly long _start = Stopwatch.GetTimestamp();

    public IReadOnlyList<string> Lines => [.. _lines];

    public ILogger CreateLogger(string categoryName) => this;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _lines.Enqueue($"[client +{Stopwatch.GetElapsedTime(_start).TotalMilliseconds:0} ms] [{logLevel}] {eventId.Id} {formatter(state, exception)}");

    public void Dispose()
    {
    }
}
