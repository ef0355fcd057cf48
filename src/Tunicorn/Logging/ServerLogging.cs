using Microsoft.Extensions.Logging;
using Tunicorn.Config;
using Tunicorn.Interop;

namespace Tunicorn.Logging;

/// <summary>The error log and the access log of one process, built from settings; <see cref="Reopen"/> serves USR1.</summary>
internal sealed partial class ServerLogging : IDisposable
{
    private readonly LogSink _errorSink;
    private readonly ILogger _log;
    private readonly string _role;
    private readonly ErrorLogOutlets _outlets;
    private readonly ILogger _outletsLog;

    /// <param name="inWorker">True in a worker: what the master already warned about is logged at debug level only.</param>
    private ServerLogging(Settings settings, string role, LogFileOwner? owner, bool inWorker)
    {
        _role = role;
        _errorSink = OpenSink(LoggingSettings.ErrorLog, settings.ErrorLog, StandardStream.Error, owner);
        _outlets = new ErrorLogOutlets(settings);
        Factory = new ServerLoggerFactory(new ServerLoggerProvider(_errorSink, settings.LogLevel, settings.LogConfigJson, _outlets.Syslog));
        _log = Factory.CreateLogger("tunicorn.logging");
        _outletsLog = Factory.CreateLogger(inWorker ? "tunicorn.worker" : "tunicorn.master");
        _outlets.ReportProblems(_outletsLog, inWorker);
        if (!string.IsNullOrEmpty(settings.AccessLog))
        {
            try
            {
                // "-" is stdout, as gunicorn's access log.
                AccessLog = new AccessLog(OpenSink(LoggingSettings.AccessLog, settings.AccessLog, StandardStream.Output, owner),
                    settings.AccessLogFormat);
            }
            catch
            {
                _outlets.Dispose();
                _errorSink.Dispose();
                throw;
            }
        }
    }

    /// <summary>
    /// The master's logs. When workers run as another user (the user and group settings) and the master may give
    /// files away (it runs as root), every log file it opens or re-creates is given to the workers' user: they open
    /// the files while still root at boot, but after a rotation they reopen them as that user.
    /// </summary>
    public static ServerLogging ForMaster(Settings settings) => new(settings, "Master", WorkerOwner(settings), inWorker: false);

    /// <summary>A worker's logs: it opens them before dropping root, and reopens them as the user it became.</summary>
    public static ServerLogging ForWorker(Settings settings) => new(settings, "Worker", owner: null, inWorker: true);

    public ILoggerFactory Factory { get; }

    public AccessLog? AccessLog { get; }

    /// <summary>
    /// Reopens every log file (log rotation). A file that cannot be reopened is reported once, with the reason, and
    /// its log keeps going to the file it had open; the process carries on. True when every file was reopened.
    /// </summary>
    public bool Reopen()
    {
        bool errorLogReopened = TryReopen(_errorSink, "error");
        bool accessLogReopened = AccessLog is null || TryReopen(AccessLog.Sink, "access");
        // After the error log's own reopen, which creates (and gives away) the new file that captured output follows.
        _outlets.Reopen(_outletsLog);
        return errorLogReopened && accessLogReopened;
    }

    /// <exception cref="IOException">One line naming the setting, the file and what the system refused.</exception>
    private static LogSink OpenSink(Setting setting, string target, StandardStream dash, LogFileOwner? owner)
    {
        try
        {
            return new LogSink(target, dash, owner);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InteropException)
        {
            // InteropException: a root master could not give the file to the workers' user (fchown refused: no
            // CAP_CHOWN in a container, root_squash on NFS).
            throw new IOException($"{setting.Name}: cannot open '{target}': {FileErrorText.Reason(e)}", e);
        }
    }

    public void Dispose()
    {
        Factory.Dispose();
        _errorSink.Dispose();
        AccessLog?.Sink.Dispose();
        _outlets.Dispose();
    }

    private bool TryReopen(LogSink sink, string which)
    {
        try
        {
            sink.Reopen();
            return true;
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException or InteropException)
        {
            CannotReopen(_log, _role, Environment.ProcessId, which, sink.Target, e.Message);
            return false;
        }
    }

    private static LogFileOwner? WorkerOwner(Settings settings)
    {
        if (settings.User is null && settings.Group is null)
            return null;
        if (!AppendOnlyFile.CanChangeOwners)
            // Only root gives files away; a master that is not root runs workers that cannot switch users either.
            return null;
        try
        {
            var (uid, gid) = ProcessIdentity.ResolveWorkerIds(settings.User, settings.Group);
            return new LogFileOwner(uid, gid);
        }
        catch (ArgumentException)
        {
            // An unknown user or group: the workers fail to boot with that reason, which the master reports.
            return null;
        }
    }

    [LoggerMessage(EventId = EventIds.LogFiles + 1, Level = LogLevel.Error,
        Message = "{Role} (pid: {Pid}) cannot reopen the {Which} log {Path}: {Reason}; it keeps writing to the file it had open")]
    private static partial void CannotReopen(ILogger logger, string role, int pid, string which, string path, string reason);
}
