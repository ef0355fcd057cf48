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
            Write one line per Thrift call to this file; - is stderr.
            Unset writes no access log. USR1 reopens the file after log rotation.
            """,
    };

    public static readonly Setting<string> AccessLogFormat = new("access_log_format", SettingSection.Logging)
    {
        Flags = ["--access-logformat"],
        MetaVar = "STRING",
        Default = """%(h)s %(t)s "%(m)s" %(r)s %(D)sus""",
        Validator = Validators.AccessLogFormat,
        Description = """
            The format of an access log line.
            Tokens: %(t)s time, %(h)s peer address, %(m)s Thrift method, %(r)s result, %(D)s duration in
            microseconds, %(p)s worker pid, %(s)s sequence id; %% is a percent sign. Any other token is an error.
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
