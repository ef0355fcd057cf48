using Microsoft.Extensions.Logging;
using Tunicorn.Config;

namespace Tunicorn.Tests.Config;

public sealed class SettingsLoaderTests
{
    [Fact]
    public void Load_NoArguments_RunsWithDefaults()
    {
        var run = LoadRun.Of();

        Assert.Equal(SettingsCommand.Run, run.Result.Command);
        Assert.Equal(0, run.Result.ExitCode);
        Assert.Equal("", run.Stderr);
        Assert.Equal(new Settings().Serialize(), run.Settings.Serialize());
        Assert.Equal(["127.0.0.1:9090"], run.Settings.Bind);
        Assert.Equal(WorkerClass.Async, run.Settings.WorkerClass);
        Assert.Null(run.Settings.ConfigFile);
    }

    [Fact]
    public void Load_EveryOptionOnTheCommandLine_SetsTypedProperties()
    {
        var run = LoadRun.Of(
            "build/Svc.dll:Svc.Handler", "-b", "0.0.0.0:9091", "--backlog", "64", "-w", "3", "-k", "threaded", "--threads", "8",
            "--worker-connections", "50", "--max-requests", "1000", "--max-requests-jitter", "50", "-t", "12.5",
            "--graceful-timeout", "5", "--reuse-port", "--chdir", "/srv", "-e", "A=1", "-p", "/run/t.pid", "-u", "root", "-g", "1000",
            "-m", "0o27", "--access-logfile", "-", "--access-logformat", "%(h)s %(r)s", "--error-logfile", "/var/log/t.log",
            "--log-level", "debug", "-n", "calc", "--hooks", "Svc.Hooks", "--thrift-protocol-factory", "compact",
            "--thrift-transport-factory", "framed", "--thrift-client-timeout", "60", "--thrift-processor-as-factory");

        var s = run.Settings;
        Assert.Equal("build/Svc.dll:Svc.Handler", s.App);
        Assert.Equal(["0.0.0.0:9091"], s.Bind);
        Assert.Equal(64, s.Backlog);
        Assert.Equal(3, s.Workers);
        Assert.Equal(WorkerClass.Threaded, s.WorkerClass);
        Assert.Equal(8, s.Threads);
        Assert.Equal(50, s.WorkerConnections);
        Assert.Equal(1000, s.MaxRequests);
        Assert.Equal(50, s.MaxRequestsJitter);
        Assert.Equal(12.5, s.Timeout);
        Assert.Equal(5, s.GracefulTimeout);
        Assert.True(s.ReusePort);
        Assert.Equal("/srv", s.Chdir);
        Assert.Equal(["A=1"], s.RawEnv);
        Assert.Equal("/run/t.pid", s.Pidfile);
        Assert.Equal("root", s.User);
        Assert.Equal("1000", s.Group);
        Assert.Equal(23, s.Umask);
        Assert.Equal("-", s.AccessLog);
        Assert.Equal("%(h)s %(r)s", s.AccessLogFormat);
        Assert.Equal("/var/log/t.log", s.ErrorLog);
        Assert.Equal(LogLevel.Debug, s.LogLevel);
        Assert.Equal("calc", s.ProcName);
        Assert.Equal("Svc.Hooks", s.Hooks);
        Assert.Equal(ThriftProtocolKind.Compact, s.ThriftProtocol);
        Assert.Equal(ThriftTransportKind.Framed, s.ThriftTransport);
        Assert.Equal(60, s.ThriftClientTimeout);
        Assert.True(s.ThriftProcessorAsFactory);
    }

    [Fact]
    public void Load_WorkersNotANumber_ExitsTwoNamingSetting()
    {
        var run = LoadRun.Of("-w", "abc");

        Assert.Equal("tunicorn: error: workers: 'abc' is not a positive integer", run.ErrorLine);
        Assert.Null(run.Result.Settings);
    }

    [Fact]
    public void Load_WorkersNegative_IsRejectedNotTakenAsAnOption() =>
        Assert.Equal("tunicorn: error: workers: '-1' is not a positive integer", LoadRun.Of("--workers", "-1").ErrorLine);

    [Fact]
    public void Load_UnknownWorkerClass_ListsChoicesAndAliases() =>
        Assert.Equal(
            "tunicorn: error: worker_class: 'foo' is not one of sync, threaded, async (aliases thrift_sync, thrift_gevent)",
            LoadRun.Of("-k", "foo").ErrorLine);

    [Theory]
    [InlineData("thrift_sync", WorkerClass.Sync)]
    [InlineData("thrift_gevent", WorkerClass.Async)]
    [InlineData("sync", WorkerClass.Sync)]
    public void Load_WorkerClassAlias_MapsToDotNetClass(string name, WorkerClass expected) =>
        Assert.Equal(expected, LoadRun.Of("-k", name).Settings.WorkerClass);

    [Fact]
    public void Load_BindRepeated_KeepsEveryAddressInOrder()
    {
        var run = LoadRun.Of("-b", "127.0.0.1:1", "--bind", "[::1]:2", "-b", "unix:/tmp/t.sock", "--bind=fd://3");

        Assert.Equal(["127.0.0.1:1", "[::1]:2", "unix:/tmp/t.sock", "fd://3"], run.Settings.Bind);
    }

    [Fact]
    public void Load_BindWithoutPort_ExitsTwo() =>
        Assert.StartsWith("tunicorn: error: bind: '127.0.0.1' has no port", LoadRun.Of("-b", "127.0.0.1").ErrorLine);

    [Fact]
    public void Load_ScalarGivenTwice_LastWins() => Assert.Equal(5, LoadRun.Of("-w", "2", "-w5").Settings.Workers);

    [Fact]
    public void Load_ScalarGivenTwice_BadFirstValueStillRejected() =>
        Assert.Contains("'zero' is not a positive integer", LoadRun.Of("-w", "zero", "-w", "2").ErrorLine);

    [Fact]
    public void Load_RawEnvWithoutEquals_ExitsTwo() =>
        Assert.Equal("tunicorn: error: raw_env: 'FOO' is not KEY=VALUE with a non-empty KEY without spaces", LoadRun.Of("-e", "FOO").ErrorLine);

    [Fact]
    public void Load_LogLevel_MapsToMicrosoftLogLevel()
    {
        Assert.Equal(LogLevel.Warning, LoadRun.Of("--log-level", "warning").Settings.LogLevel);
        Assert.Equal(LogLevel.Critical, LoadRun.Of("--log-level", "critical").Settings.LogLevel);
        Assert.Contains("is not one of debug, info, warning, error, critical", LoadRun.Of("--log-level", "verbose").ErrorLine);
    }

    [Fact]
    public void Load_UnknownOption_ExitsTwoWithOneLine() =>
        Assert.Equal("tunicorn: error: unrecognized option '--wrokers'", LoadRun.Of("--wrokers", "2").ErrorLine);

    [Fact]
    public void Load_UnknownOptionAfterApp_ExitsTwoWithOneLine() =>
        Assert.Equal("tunicorn: error: unrecognized option '--nope'", LoadRun.Of("Svc.dll", "--nope").ErrorLine);

    [Fact]
    public void Load_TwoApps_ExitsTwo() =>
        Assert.Equal("tunicorn: error: unexpected argument 'b.dll' (only one APP is allowed)", LoadRun.Of("a.dll", "b.dll").ErrorLine);

    [Fact]
    public void Load_OptionWithoutValue_NamesSettingAndWhatIsExpected() =>
        Assert.Equal("tunicorn: error: workers: -w needs a value (positive integer)", LoadRun.Of("-w").ErrorLine);

    [Fact]
    public void Load_AppAfterDoubleDash_MayStartWithDash() => Assert.Equal("-odd.dll", LoadRun.Of("--", "-odd.dll").Settings.App);

    [Fact]
    public void Load_BadApp_ExitsTwo() =>
        Assert.Equal("tunicorn: error: app: 'Svc' is not path/to/Assembly.dll[:Namespace.Type]", LoadRun.Of("Svc").ErrorLine);

    [Fact]
    public void Load_ResponseFileSyntax_IsNotExpanded() => Assert.Contains("'@args.txt'", LoadRun.Of("@args.txt").ErrorLine);

    [Fact]
    public void Load_Precedence_FileThenEnvironmentThenCommandLine()
    {
        using var dir = new TempDirectory();
        dir.Write("tunicorn.toml", """
            workers = 2
            backlog = 100
            timeout = 10
            graceful_timeout = 7
            """);

        var run = LoadRun.Of(dir.Path, ["--backlog", "300"], commandArgs: "--workers 3 --backlog 200 -t 20");

        Assert.Equal(3, run.Settings.Workers);           // environment beats file
        Assert.Equal(300, run.Settings.Backlog);         // command line beats both
        Assert.Equal(20, run.Settings.Timeout);          // environment beats file
        Assert.Equal(7, run.Settings.GracefulTimeout);   // file beats default
        Assert.Equal(Path.Combine(dir.Path, "tunicorn.toml"), run.Settings.ConfigFile);
    }

    [Fact]
    public void Load_ListFromLaterSource_ReplacesWholeList()
    {
        using var dir = new TempDirectory();
        dir.Write("tunicorn.toml", """bind = ["127.0.0.1:1", "127.0.0.1:2"]""");

        Assert.Equal(["127.0.0.1:1", "127.0.0.1:2"], LoadRun.Of(dir.Path, []).Settings.Bind);
        Assert.Equal(["127.0.0.1:3"], LoadRun.Of(dir.Path, ["-b", "127.0.0.1:3"]).Settings.Bind);
    }

    [Fact]
    public void Load_ConfigOption_ReadsThatFileInsteadOfTheDefault()
    {
        using var dir = new TempDirectory();
        dir.Write("tunicorn.toml", "workers = 2");
        Directory.CreateDirectory(Path.Combine(dir.Path, "conf"));
        dir.Write("conf/prod.toml", "workers = 9");

        var run = LoadRun.Of(dir.Path, ["-c", "conf/prod.toml"]);

        Assert.Equal(9, run.Settings.Workers);
        Assert.Equal(Path.Combine(dir.Path, "conf", "prod.toml"), run.Settings.ConfigFile);
    }

    [Fact]
    public void Load_ConfigFromEnvironment_IsUsedWhenCommandLineHasNone()
    {
        using var dir = new TempDirectory();
        dir.Write("other.toml", "workers = 4");

        Assert.Equal(4, LoadRun.Of(dir.Path, [], commandArgs: "-c other.toml").Settings.Workers);
    }

    [Fact]
    public void Load_MissingConfigFile_ExitsTwo() =>
        Assert.Equal("tunicorn: error: config: 'nope.toml' does not exist", LoadRun.Of("-c", "nope.toml").ErrorLine);

    [Fact]
    public void Load_TomlEverySettingKind_GoesThroughValidators()
    {
        using var dir = new TempDirectory();
        dir.Write("tunicorn.toml", """
            app = "x.dll"
            bind = ["127.0.0.1:9090", "[::1]:9091"]
            workers = 2
            worker_class = "thrift_sync"
            timeout = 2.5
            reuse_port = true
            raw_env = ["A=1", "B=2"]
            umask = 0o22
            loglevel = "error"
            thrift_client_timeout = 0
            """);

        var s = LoadRun.Of(dir.Path, []).Settings;

        Assert.Equal("x.dll", s.App);
        Assert.Equal(["127.0.0.1:9090", "[::1]:9091"], s.Bind);
        Assert.Equal(2, s.Workers);
        Assert.Equal(WorkerClass.Sync, s.WorkerClass);
        Assert.Equal(2.5, s.Timeout);
        Assert.True(s.ReusePort);
        Assert.Equal(["A=1", "B=2"], s.RawEnv);
        Assert.Equal(18, s.Umask);
        Assert.Equal(LogLevel.Error, s.LogLevel);
        Assert.Equal(0, s.ThriftClientTimeout);
    }

    [Fact]
    public void Load_TomlSingleStringForList_IsAListOfOne()
    {
        using var dir = new TempDirectory();
        dir.Write("tunicorn.toml", """bind = "unix:/tmp/x.sock" """);

        Assert.Equal(["unix:/tmp/x.sock"], LoadRun.Of(dir.Path, []).Settings.Bind);
    }

    [Fact]
    public void Load_TomlBadValue_SaysItCameFromTheFile()
    {
        using var dir = new TempDirectory();
        dir.Write("tunicorn.toml", "workers = 0");

        Assert.Equal("tunicorn: error: workers: '0' is not a positive integer (from tunicorn.toml)", LoadRun.Of(dir.Path, []).ErrorLine);
    }

    [Fact]
    public void Load_TomlBadValueInExplicitFile_NamesThePathAsGiven()
    {
        using var dir = new TempDirectory();
        dir.Write("prod.toml", "worker_class = \"gevent\"");

        Assert.EndsWith("(from prod.toml)", LoadRun.Of(dir.Path, ["-c", "prod.toml"]).ErrorLine);
    }

    [Fact]
    public void Load_TomlArrayForScalar_ExitsTwo()
    {
        using var dir = new TempDirectory();
        dir.Write("tunicorn.toml", "workers = [1, 2]");

        Assert.Equal("tunicorn: error: workers: '[1, 2]' is an array (positive integer expected) (from tunicorn.toml)", LoadRun.Of(dir.Path, []).ErrorLine);
    }

    [Fact]
    public void Load_TomlEmptyBind_ExitsTwo()
    {
        using var dir = new TempDirectory();
        dir.Write("tunicorn.toml", "bind = []\nraw_env = []");

        Assert.Equal("tunicorn: error: bind: '[]' is an empty list; at least one address is needed (from tunicorn.toml)", LoadRun.Of(dir.Path, []).ErrorLine);
    }

    [Fact]
    public void Load_TomlDateForString_ExitsTwo()
    {
        using var dir = new TempDirectory();
        dir.Write("tunicorn.toml", "proc_name = 1979-05-27");

        Assert.StartsWith("tunicorn: error: proc_name: '1979-05-27' is a date or time (string expected)", LoadRun.Of(dir.Path, []).ErrorLine);
    }

    [Fact]
    public void Load_TomlWrongTypeForFlag_ExitsTwo()
    {
        using var dir = new TempDirectory();
        dir.Write("tunicorn.toml", "reuse_port = 1");

        Assert.Equal("tunicorn: error: reuse_port: '1' is not true or false (from tunicorn.toml)", LoadRun.Of(dir.Path, []).ErrorLine);
    }

    [Fact]
    public void Load_TomlUnknownKey_NamesKeyAndFile()
    {
        using var dir = new TempDirectory();
        dir.Write("tunicorn.toml", "workers = 2\nwrokers = 3\n");

        Assert.Equal("tunicorn: error: unknown setting 'wrokers' (from tunicorn.toml)", LoadRun.Of(dir.Path, []).ErrorLine);
    }

    [Fact]
    public void Load_TomlTable_IsAnUnknownKey()
    {
        using var dir = new TempDirectory();
        dir.Write("tunicorn.toml", "[server]\nworkers = 3\n");

        Assert.Equal("tunicorn: error: unknown setting 'server' (from tunicorn.toml)", LoadRun.Of(dir.Path, []).ErrorLine);
    }

    [Fact]
    public void Load_TomlCommandLineOnlySetting_IsRejected()
    {
        using var dir = new TempDirectory();
        dir.Write("tunicorn.toml", "print_config = true");

        Assert.Contains("print_config: can only be given on the command line", LoadRun.Of(dir.Path, []).ErrorLine);
    }

    [Fact]
    public void Load_TomlSyntaxError_OneLineWithFileAndPosition()
    {
        using var dir = new TempDirectory();
        dir.Write("tunicorn.toml", "workers = 2\ntimeout = \n");

        var line = LoadRun.Of(dir.Path, []).ErrorLine;

        Assert.StartsWith("tunicorn: error: tunicorn.toml:2:", line);
    }

    [Fact]
    public void Load_TomlDuplicateKey_IsASyntaxErrorNotLastWins()
    {
        using var dir = new TempDirectory();
        dir.Write("tunicorn.toml", "workers = 2\nworkers = 3\n");

        Assert.StartsWith("tunicorn: error: tunicorn.toml:2:", LoadRun.Of(dir.Path, []).ErrorLine);
    }

    [Fact]
    public void Load_EnvironmentBadValue_SaysItCameFromTheEnvironment()
    {
        using var dir = new TempDirectory();

        Assert.Equal(
            "tunicorn: error: timeout: 'soon' is not a number of seconds (0 or more) (from TUNICORN_CMD_ARGS)",
            LoadRun.Of(dir.Path, [], commandArgs: "-t soon").ErrorLine);
    }

    [Fact]
    public void Load_EnvironmentUnknownOption_SaysItCameFromTheEnvironment()
    {
        using var dir = new TempDirectory();

        Assert.Equal("tunicorn: error: unrecognized option '--bogus' (from TUNICORN_CMD_ARGS)", LoadRun.Of(dir.Path, [], commandArgs: "--bogus").ErrorLine);
    }

    [Fact]
    public void Load_EnvironmentQuotes_AreHonoured()
    {
        using var dir = new TempDirectory();

        var s = LoadRun.Of(dir.Path, [], commandArgs: """--access-logformat '%(h)s "%(m)s"' -n "my service" -e A=\ b""").Settings;

        Assert.Equal("""%(h)s "%(m)s" """.TrimEnd(), s.AccessLogFormat);
        Assert.Equal("my service", s.ProcName);
        Assert.Equal(["A= b"], s.RawEnv);
    }

    [Fact]
    public void Load_EnvironmentUnclosedQuote_ExitsTwo()
    {
        using var dir = new TempDirectory();

        Assert.StartsWith("tunicorn: error: TUNICORN_CMD_ARGS: no closing quotation", LoadRun.Of(dir.Path, [], commandArgs: "-n 'oops").ErrorLine);
    }

    [Fact]
    public void Load_Help_PrintsEverySettingFlagAndExitsZero()
    {
        var run = LoadRun.Of("--help");

        Assert.Equal(SettingsCommand.Exit, run.Result.Command);
        Assert.Equal(0, run.Result.ExitCode);
        foreach (var setting in SettingRegistry.All.Where(s => s.Flags.Count > 0))
        {
            Assert.Contains(string.Join(", ", setting.Flags), run.Stdout);
            Assert.Contains(setting.Summary, run.Stdout);
        }
        Assert.Contains("[default: 127.0.0.1:9090]", run.Stdout);
        Assert.Contains("\nWorker:\n", run.Stdout);
    }

    [Fact]
    public void Load_HelpWithBadValues_StillPrintsHelp() => Assert.Equal(0, LoadRun.Of("-w", "abc", "-h").Result.ExitCode);

    [Fact]
    public void Load_Version_PrintsVersionAndExitsZero()
    {
        var run = LoadRun.Of("--version");

        Assert.Equal(0, run.Result.ExitCode);
        Assert.StartsWith("tunicorn ", run.Stdout);
    }

    [Fact]
    public void Load_CheckConfig_ReturnsCheckConfigWithSettings()
    {
        var run = LoadRun.Of("--check-config", "-w", "4", "x.dll");

        Assert.Equal(SettingsCommand.CheckConfig, run.Result.Command);
        Assert.Equal(4, run.Settings.Workers);
    }
}
