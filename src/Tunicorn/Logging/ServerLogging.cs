using Microsoft.Extensions.Logging;
using Tunicorn.Config;

namespace Tunicorn.Logging;

/// <summary>The error log and the access log of one process, built from settings; <see cref="Reopen"/> serves USR1.</summary>
public sealed class ServerLogging : IDisposable
{
    private readonly LogSink _errorSink;

    public ServerLogging(Settings settings)
    {
        _errorSink = OpenSink(LoggingSettings.ErrorLog, settings.ErrorLog);
        Factory = new ServerLoggerFactory(new ServerLoggerProvider(_errorSink, settings.LogLevel));
        if (!string.IsNullOrEmpty(settings.AccessLog))
        {
            try
            {
                AccessLog = new AccessLog(OpenSink(LoggingSettings.AccessLog, settings.AccessLog), settings.AccessLogFormat);
            }
            catch
            {
                _errorSink.Dispose();
                throw;
            }
        }
    }

    public ILoggerFactory Factory { get; }

    public AccessLog? AccessLog { get; }

    public void Reopen()
    {
        _errorSink.Reopen();
        AccessLog?.Sink.Reopen();
    }

    /// <exception cref="IOException">One line naming the setting, the file and what the system refused.</exception>
    private static LogSink OpenSink(Setting setting, string target)
    {
        try
        {
            return new LogSink(target);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"{setting.Name}: cannot open '{target}': {FileErrorText.Reason(e)}", e);
        }
    }

    public void Dispose()
    {
        Factory.Dispose();
        _errorSink.Dispose();
        AccessLog?.Sink.Dispose();
    }
}
