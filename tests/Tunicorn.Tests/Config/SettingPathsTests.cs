namespace Tunicorn.Tests.Config;

/// <summary>Path-valued settings are checked against the file system when settings are loaded (exit 2, one line).</summary>
public sealed class SettingPathsTests
{
    [Fact]
    public void Chdir_ThatIsAFile_IsRefused()
    {
        using var dir = new TempDirectory();
        string file = dir.Write("f", "");

        Assert.Equal($"tunicorn: error: chdir: '{file}' is not a directory", LoadRun.Of(dir.Path, ["--chdir", file]).ErrorLine);
    }

    [Fact]
    public void RelativePaths_AreTakenFromChdir()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(Path.Combine(dir.Path, "app", "run"));
        using var elsewhere = new TempDirectory();

        var run = LoadRun.Of(elsewhere.Path, ["--chdir", Path.Combine(dir.Path, "app"), "-p", "run/t.pid"]);

        Assert.Equal("run/t.pid", run.Settings.Pidfile);
        Assert.Equal(
            "tunicorn: error: pidfile: 'run/t.pid' is in the directory " + Path.Combine(elsewhere.Path, "run") + ", which does not exist",
            LoadRun.Of(elsewhere.Path, ["-p", "run/t.pid"]).ErrorLine);
    }

    [Fact]
    public void ErrorLog_InDirectoriesStillToBeCreated_IsAccepted()
    {
        using var dir = new TempDirectory();

        var run = LoadRun.Of(dir.Path, ["--error-logfile", "logs/new/err.log"]);

        Assert.Equal("logs/new/err.log", run.Settings.ErrorLog);
    }

    [Fact]
    public void ConfigFile_ThatIsADirectory_SaysSo()
    {
        using var dir = new TempDirectory();

        Assert.Equal($"tunicorn: error: config: '{dir.Path}' is a directory, not a file", LoadRun.Of(dir.Path, ["-c", dir.Path]).ErrorLine);
    }

    [Fact]
    public void PrintConfig_Alone_DoesNotCheckPaths()
    {
        var run = LoadRun.Of("--print-config", "--certfile", "/nonexistent/cert.pem");

        Assert.Equal(0, run.Result.ExitCode);
    }
}
