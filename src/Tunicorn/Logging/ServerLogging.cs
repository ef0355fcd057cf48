using Microsoft.Extensions.Logging;
using Tunicorn.Config;

namespace Tunicorn.Logging;

/// <summary>The error log and the access log of one process, built from settings; <see cref="Reopen"/> serves USR1.</summary>
public sealed class ServerLogging : IDisposable
{
    private readonly LogSink _errorSink;
    private readonly ErrorLogOutlets _outlets;
    private readonly ILogger _outletsLog;

    /// <param name="settings">The settings of this process.</param>
    /// <param name="inWorker">True in a worker: what the master already warned about is logged at debug level only.</param>
    public ServerLogging(Settings settings, bool inWorker = false)
    {
        _errorSink = new LogSink(settings.ErrorLog);
        _outlets = new ErrorLogOutlets(settings);
        Factory = new ServerLoggerFactory(new ServerLoggerProvider(_errorSink, settings.LogLevel, settings.LogConfigJson, _outlets.Syslog));
        _outletsLog = Factory.CreateLogger(inWorker ? "tunicorn.worker" : "tunicorn.master");
        _outlets.ReportProblems(_outletsLog, inWorker);
        if (!string.IsNullOrEmpty(settings.AccessLog))
            AccessLog = new AccessLog(new LogSink(settings.AccessLog), settings.AccessLogFormat);
    }

    public ILoggerFactory Factory { get; }

    public AccessLog? AccessLog { get; }

    public void Reopen()
    {
        _errorSink.Reopen();
        AccessLog?.Sink.Reopen();
        _outlets.Reopen(_outletsLog);
    }

    public void Dispose()
    {
        Factory.Dispose();
        _errorSink.Dispose();
        AccessLog?.Sink.Dispose();
        _outlets.Dispose();
    }
}
