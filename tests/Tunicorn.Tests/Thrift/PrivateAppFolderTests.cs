using Tunicorn.Thrift;

namespace Tunicorn.Tests.Thrift;

[System.Runtime.Versioning.SupportedOSPlatform("linux")] // file modes and /proc
public sealed class PrivateAppFolderTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("private-app-folder-tests-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Theory]
    [InlineData("tunicorn-app-1234-abc123", 1234)]
    [InlineData("tunicorn-app-7-x", 7)]
    [InlineData("tunicorn-app--x", null)]
    [InlineData("tunicorn-app-12x-y", null)]
    [InlineData("tunicorn-app-1234", null)]
    [InlineData("tunicorn-it", null)]
    public void OwnerPid_ReadsThePidOfTheFolderName(string name, int? pid) => Assert.Equal(pid, PrivateAppFolder.OwnerPid(name));

    [Fact]
    public void RemoveAbandoned_RemovesTheFoldersOfProcessesThatNoLongerRun_AndNothingElse()
    {
        // No process has a pid above the kernel's pid_max (at most 4194304).
        string dead = Path.Combine(_temp, "tunicorn-app-999999999-dead");
        string alive = Path.Combine(_temp, $"tunicorn-app-{Environment.ProcessId}-alive");
        string other = Path.Combine(_temp, "tunicorn-it");
        foreach (string folder in (string[])[dead, alive, other])
        {
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, "App.dll"), "x");
        }

        PrivateAppFolder.RemoveAbandoned(_temp);

        Assert.False(Directory.Exists(dead));
        Assert.True(Directory.Exists(alive));
        Assert.True(Directory.Exists(other));
    }

    [Fact]
    public void Copy_PutsTheFileAndItsSymbolsInAFolderOfThisProcessOnlyItsUserCanEnter()
    {
        string dll = Path.Combine(_temp, "Some.App.dll");
        File.WriteAllBytes(dll, [1, 2, 3]);
        File.WriteAllBytes(Path.ChangeExtension(dll, ".pdb"), [4, 5]);
        int context = PrivateAppFolder.NewContextId();

        string copy = PrivateAppFolder.Copy(context, dll);

        Assert.Equal([1, 2, 3], File.ReadAllBytes(copy));
        Assert.Equal([4, 5], File.ReadAllBytes(Path.ChangeExtension(copy, ".pdb")));
        string root = Path.GetDirectoryName(Path.GetDirectoryName(copy))!;
        Assert.Equal(Environment.ProcessId, PrivateAppFolder.OwnerPid(Path.GetFileName(root)));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(root));
        // Overwriting the source does not reach the copy; another context gets a copy of its own.
        File.WriteAllBytes(dll, [9, 9, 9]);
        Assert.Equal(copy, PrivateAppFolder.Copy(context, dll));
        Assert.Equal([1, 2, 3], File.ReadAllBytes(copy));
        string second = PrivateAppFolder.Copy(PrivateAppFolder.NewContextId(), dll);
        Assert.NotEqual(copy, second);
        Assert.Equal([9, 9, 9], File.ReadAllBytes(second));
    }
}
