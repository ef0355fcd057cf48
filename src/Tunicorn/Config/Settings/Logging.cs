using Microsoft.Extensions.Logging;

namespace Tunicorn.Config;

/// <summary>Settings of the error log and the access log.</summary>
internal static class LoggingSettings
{
    /// <summary>"-" is stderr; null disables the access log.</summary>
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

    /// <summary>"-" is stderr.</summary>
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

    /// <summary>Whether the app's stdout and stderr go to the errorlog file.</summary>
    public static readonly Setting<bool> CaptureOutput = new("capture_output", SettingSection.Logging)
    {
        Flags = ["--capture-output"],
        // Same default as gunicorn.
        Default = false,
        Validator = Validators.Boolean,
        Description = """
            Send what the app writes to stdout and stderr (Console.Out, Console.Error) to the error log file.
            As gunicorn does: the master points its descriptors 1 and 2 at the errorlog file (opened with
            O_APPEND), and workers inherit them; USR1 points them at the reopened file. Without an errorlog file
            (errorlog = -) this does nothing: the output already goes to the master's stdout and stderr.
            """,
    };

    /// <summary>Whether the error log goes to syslog too.</summary>
    public static readonly Setting<bool> Syslog = new("syslog", SettingSection.Logging)
    {
        Flags = ["--log-syslog"],
        // Same default as gunicorn.
        Default = false,
        Validator = Validators.Boolean,
        Description = """
            Send the error log to syslog too (syslog_addr), from the master and from every worker.
            Each line is one RFC 3164 message, `<PRI>TIMESTAMP [HOST] TAG[PID]: [LEVEL] message`, where PRI is
            syslog_facility * 8 + the level's severity (debug 7, info 6, warning 4, error 3, critical 2) and TAG is
            tunicorn or tunicorn.PREFIX (syslog_prefix). A syslog that is unreachable or slow drops lines rather
            than slowing calls; the error log keeps them. HOST is left out towards a unix socket, as syslog(3) does.
            """,
    };

    /// <summary>unix://PATH, udp://HOST[:PORT] or tcp://HOST[:PORT] (Logging.SyslogAddress parses it).</summary>
    public static readonly Setting<string> SyslogAddr = new("syslog_addr", SettingSection.Logging)
    {
        Flags = ["--log-syslog-to"],
        MetaVar = "SYSLOG_ADDR",
        // gunicorn's default on Linux is udp://localhost:514, where a stock rsyslog or journald does not listen;
        // the local socket is where Linux syslog daemons receive, and the form gunicorn uses on the BSDs and macOS.
        Default = Logging.SyslogAddress.DefaultText,
        Validator = new Validator<string>(
            "syslog address",
            text =>
            {
                Logging.SyslogAddress.Parse(text);
                return text;
            },
            value => value),
        Description = """
            Where syslog messages go: unix://PATH, udp://HOST[:PORT] or tcp://HOST[:PORT].
            PATH is a datagram socket; the port is 514 when left out. TCP messages end with a line break
            (RFC 6587). When the socket is missing at start (no syslog daemon, e.g. in a container without
            /dev/log) the master logs one warning and serves on; lines sent before the daemon starts are lost.
            """,
    };

    public static readonly Setting<Logging.SyslogFacility> SyslogFacility = new("syslog_facility", SettingSection.Logging)
    {
        Flags = ["--log-syslog-facility"],
        MetaVar = "SYSLOG_FACILITY",
        // Same default as gunicorn.
        Default = Logging.SyslogFacility.User,
        Validator = Validators.Choice<Logging.SyslogFacility>(
            ["kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv", "ftp",
                "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"],
            [
                Logging.SyslogFacility.Kern, Logging.SyslogFacility.User, Logging.SyslogFacility.Mail, Logging.SyslogFacility.Daemon,
                Logging.SyslogFacility.Auth, Logging.SyslogFacility.Syslog, Logging.SyslogFacility.Lpr, Logging.SyslogFacility.News,
                Logging.SyslogFacility.Uucp, Logging.SyslogFacility.Cron, Logging.SyslogFacility.AuthPriv, Logging.SyslogFacility.Ftp,
                Logging.SyslogFacility.Local0, Logging.SyslogFacility.Local1, Logging.SyslogFacility.Local2, Logging.SyslogFacility.Local3,
                Logging.SyslogFacility.Local4, Logging.SyslogFacility.Local5, Logging.SyslogFacility.Local6, Logging.SyslogFacility.Local7,
            ],
            // gunicorn takes Python's facility names, where security is auth.
            [new("security", "auth")]),
        Description = """
            The syslog facility of the messages.
            """,
    };

    public static readonly Setting<string> SyslogPrefix = new("syslog_prefix", SettingSection.Logging)
    {
        Flags = ["--log-syslog-prefix"],
        MetaVar = "SYSLOG_PREFIX",
        // Same default as gunicorn: none.
        Default = null,
        Validator = Validators.Text,
        Description = """
            Makes the syslog program name tunicorn.PREFIX instead of tunicorn.
            So that the services of one host can be told apart in syslog.
            """,
    };

    /// <summary>Per-category minimum levels read from the logconfig_json file; null when unset.</summary>
    // Settings.LogConfigJson comes out internal, as LogLevelRules is: the parsed rules are for the server's logging setup, not for hooks.
    public static readonly Setting<Logging.LogLevelRules> LogConfigJson = new("logconfig_json", SettingSection.Logging)
    {
        Flags = ["--log-config-json"],
        MetaVar = "FILE",
        Default = null,
        Validator = new Validator<Logging.LogLevelRules>("JSON file", Logging.LogLevelRules.Load, rules => rules.Source),
        Description = """
            Minimum log levels per category, from a Microsoft.Extensions.Logging-style JSON file.
            {"Logging": {"LogLevel": {"Default": "Information", "Tunicorn.Thrift": "Debug"}}}: the longest
            category rule that starts a logger's category wins (case ignored, one * allowed), Default covers the
            rest, and loglevel applies when there is no Default. Levels: Trace, Debug, Information, Warning, Error,
            Critical, None. Tunicorn's categories: tunicorn.master, tunicorn.worker, tunicorn.registry,
            Tunicorn.Thrift.ThriftConnection (a line per connection), Tunicorn.IO.ReadinessLoop; an app's loggers
            have their own. The master reads the file at start, and again on HUP for the workers it then starts;
            a file that cannot be read or understood stops the start with an error naming this setting. A
            relative path starts in the directory tunicorn was started in (not chdir), at start and on HUP alike.
            """,
    };
}
