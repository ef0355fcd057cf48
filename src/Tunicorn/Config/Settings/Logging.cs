using Microsoft.Extensions.Logging;

namespace Tunicorn.Config;

/// <summary>Settings of the error log and the access log.</summary>
public static class LoggingSettings
{
    public static readonly Setting<string> AccessLog = new("accesslog", SettingSection.Logging)
    {
        Flags = ["--access-logfile"],
        MetaVar = "FILE",
        // Same default as gunicorn: no access log.
        Default = null,
        Validator = Validators.Path,
        Description = """
            Write one line per Thrift call to this file; - is stdout (as gunicorn).
            Unset writes no access log. USR1 reopens the file after log rotation.
            """,
    };

    public static readonly Setting<string> AccessLogFormat = new("access_log_format", SettingSection.Logging)
    {
        Flags = ["--access-logformat"],
        MetaVar = "STRING",
        // gunicorn's letters in gunicorn's order (remote address, time, "request", status), plus the duration.
        Default = """%(h)s %(t)s "%(r)s" %(s)s %(D)sus""",
        Validator = Validators.AccessLogFormat,
        Description = """
            The format of an access log line.
            gunicorn's letters mean what they mean in gunicorn, as near as a Thrift call has it: %(h)s remote
            address (no port), %(t)s time as [07/Dec/2026:02:50:16 +0000], %(r)s and %(m)s the method called,
            %(s)s the outcome (ok, the declared exception's name, TApplicationException, transport error, protocol
            error, aborted), %(T)s %(M)s %(D)s %(L)s the duration in seconds, milliseconds, microseconds and
            decimal seconds, %(p)s the worker pid as <1234>. %(l)s %(u)s %(U)s %(q)s %(H)s %(b)s %(B)s %(f)s
            %(a)s have no Thrift counterpart and log -, as gunicorn logs a missing value; so does %({NAME}i)s
            (gunicorn's request header): THeader info headers do not reach the access log.
            Thrift's own: %(seqid)s sequence id, %(port)s peer port, %(peer)s peer address:port, %(result)s the
            outcome as %(s)s, %(connection)s the connection id. %% is a percent sign.
            Any other token is an error that names it.
            """,
    };

    public static readonly Setting<string> ErrorLog = new("errorlog", SettingSection.Logging)
    {
        Flags = ["--error-logfile", "--log-file"],
        MetaVar = "FILE",
        // Same default as gunicorn.
        Default = "-",
        Validator = Validators.Path,
        Description = """
            Write the server log to this file; - is stderr.
            USR1 reopens the file after log rotation.
            """,
    };

    public static readonly Setting<LogLevel> LogLevel = new("loglevel", SettingSection.Logging)
    {
        Flags = ["--log-level"],
        MetaVar = "LEVEL",
        // Same default as gunicorn.
        Default = Microsoft.Extensions.Logging.LogLevel.Information,
        Validator = Validators.Choice<LogLevel>(
            ["debug", "info", "warning", "error", "critical"],
            [
                Microsoft.Extensions.Logging.LogLevel.Debug, Microsoft.Extensions.Logging.LogLevel.Information,
                Microsoft.Extensions.Logging.LogLevel.Warning, Microsoft.Extensions.Logging.LogLevel.Error,
                Microsoft.Extensions.Logging.LogLevel.Critical,
            ]),
        Description = """
            The lowest level written to the error log: debug, info, warning, error or critical.
            gunicorn's level names, mapped to Microsoft.Extensions.Logging levels.
            """,
    };
}
