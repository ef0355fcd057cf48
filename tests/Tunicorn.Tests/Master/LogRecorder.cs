using Microsoft.Extensions.Logging;

namespace Tunicorn.Tests.Master;

/// <summary>A logger factory that keeps every formatted line, for tests that check what an operator would read.</summary>
internal sealed class LogRecorder : ILoggerFactory
{
    private readonly Lock _lock = new();
    private readonly List<string> _lines = [];

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lock)
                return [.. _lines];
        }
    }

    public bool Contains(string text) => Lines.Any(l => l.Contains(text, StringComparison.Ordinal));

    public string Dump() => string.Join('\n', Lines);

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();

    public void Dispose()
    {
    }

    private void Add(string line)
    {
        lock (_lock)
            _lines.Add(line);
    }

    private sealed class Logger(LogRecorder recorder) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            recorder.Add($"[{logLevel}] {formatter(state, exception)}{(exception is null ? "" : " | " + exception.Message)}");
    }
}
