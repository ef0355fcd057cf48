using Tunicorn.Master;
using Tunicorn.Tests.Config;

namespace Tunicorn.Tests.Master;

public sealed class PidfileTests
{
    [Fact]
    public void Create_WritesThePid_AndLeavesOnlyThePidfile()
    {
        using var dir = new TempDirectory();
        var pidfile = new Pidfile(Path.Combine(dir.Path, "t.pid"));

        pidfile.Create(Environment.ProcessId);

        Assert.Equal($"{Environment.ProcessId}\n", File.ReadAllText(pidfile.Path));
        Assert.Equal([pidfile.Path], Directory.GetFileSystemEntries(dir.Path));
    }

    [Fact]
    public void Create_OnADirectory_FailsNamingThePidfile_AndLeavesNoTemporary()
    {
        using var dir = new TempDirectory();
        string piddir = Directory.CreateDirectory(Path.Combine(dir.Path, "piddir")).FullName;

        var e = Assert.Throws<IOException>(() => new Pidfile(piddir).Create(Environment.ProcessId));

        Assert.Equal($"pidfile: {piddir} is a directory, not a file", e.Message);
        Assert.Equal([piddir], Directory.GetFileSystemEntries(dir.Path));
        Assert.Empty(Directory.GetFileSystemEntries(piddir));
    }

    [Fact]
    public void Create_InAMissingDirectory_NamesThePidfile_NotATemporary()
    {
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "missing", "t.pid");

        var e = Assert.Throws<IOException>(() => new Pidfile(path).Create(Environment.ProcessId));

        Assert.Equal($"pidfile: {path} cannot be written: the directory {Path.Combine(dir.Path, "missing")} does not exist", e.Message);
    }

    [Fact]
    public void Create_ReplacesASymbolicLinkAtThePidfile_WithoutWritingThroughIt()
    {
        using var dir = new TempDirectory();
        string victim = dir.Write("victim.txt", "precious\n");
        string path = Path.Combine(dir.Path, "t.pid");
        File.CreateSymbolicLink(path, victim);

        new Pidfile(path).Create(Environment.ProcessId);

        Assert.Equal("precious\n", File.ReadAllText(victim));
        Assert.Null(new FileInfo(path).LinkTarget);
        Assert.Equal($"{Environment.ProcessId}\n", File.ReadAllText(path));
    }
}
