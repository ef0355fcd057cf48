using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Tunicorn.Logging;

/// <summary>
/// Error-log lines in gunicorn's shape, <c>[2026-11-27 05:12:14 +0000] [PID] [LEVEL] message</c>, so operators
/// and their tools read Tunicorn's logs as they read gunicorn's. The pid is in every line, and every entry is one
/// line: newlines and other control characters in a message or an exception are escaped by the <see cref="LogSink"/>.
/// </summary>
/// <param name="sink">The error log.</param>
/// <param name="minimumLevel">The loglevel setting.</param>
/// <param name="levelRules">Per-category levels (logconfig_json), or null for <paramref name="minimumLevel"/> everywhere.</param>
/// <param name="syslog">Where every line also goes (log_syslog), or null.</param>
internal sealed class ServerLoggerProvider(LogSink sink, LogLevel minimumLevel, LogLevelRules? levelRules = null, SyslogSink? syslog = null) : ILoggerProvider
{
    private readonly ConcurrentDictionary<string, ServerLogger> _loggers = new();
    private readonly LogLevelRules? _levelRules = levelRules;
    private readonly SyslogSink? _syslog = syslog;

    public LogLevel MinimumLevel { get; set; } = minimumLevel;

    public ILogger CreateLogger(string categoryName) => _loggers.GetOrAdd(categoryName, category => new ServerLogger(this, category));

    public void Dispose() { }

    private sealed class ServerLogger(ServerLoggerProvider provider, string category) : ILogger
    {
        // Resolved once per category: IsEnabled runs before every log call.
        private readonly LogLevel? _categoryLevel = provider._levelRules?.MinimumLevel(category, provider.MinimumLevel);

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= (_categoryLevel ?? provider.MinimumLevel) && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
                return;
            string message = formatter(state, exception);
            string line = $"[{LogTime.Now()}] [{Environment.ProcessId}] [{LevelName(logLevel)}] {message}";
            // On the same line: the sink escapes the newlines of the stack trace, so that a line is always one line.
            if (exception is not null)
                line += " | " + exception;
            provider.WriteLine(line);
            provider._syslog?.Send(logLevel, LevelName(logLevel), exception is null ? message : message + "\n" + exception);
        }
    }

    private void WriteLine(string line) => sink.WriteLine(line);

    private static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace => "TRACE",
        LogLevel.Debug => "DEBUG",
        LogLevel.Information => "INFO",
        LogLevel.Warning => "WARNING",
        LogLevel.Error => "ERROR",
        _ => "CRITICAL",
    };
}
