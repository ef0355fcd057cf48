using Microsoft.Extensions.Logging;
using Tunicorn.Config;

namespace Tunicorn.Logging;

/// <summary>The error log and the access log of one process, built from settings; <see cref="Reopen"/> serves USR1.</summary>
public sealed class ServerLogging : IDisposable
{
    private readonly LogSink _errorSink;

    public ServerLogging(Settings settings)
    {
        _errorSink = new LogSink(settings.ErrorLog);
        Factory = new ServerLoggerFactory(new ServerLoggerProvider(_errorSink, settings.LogLevel));
        if (!string.IsNullOrEmpty(settings.AccessLog))
            AccessLog = new AccessLog(new LogSink(settings.AccessLog), settings.AccessLogFormat);
    }

    public ILoggerFactory Factory { get; }

    public AccessLog? AccessLog { get; }

    public void Reopen()
    {
        _errorSink.Reopen();
        AccessLog?.Sink.Reopen();
    }

    public void Dispose()
    {
        Factory.Dispose();
        _errorSink.Dispose();
        AccessLog?.Sink.Dispose();
    }
}
