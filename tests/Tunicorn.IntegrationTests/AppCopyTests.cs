using Tunicorn.IntegrationTests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests;

/// <summary>
/// A worker maps a private copy of the app (so the runtime can use its ReadyToRun code): a deploy that overwrites the
/// dll in place must not reach the running workers, and the copies must not pile up across reloads and crashes.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")] // file modes and /proc
public sealed class AppCopyTests(ITestOutputHelper output)
{
    [Fact]
    public async Task AppOverwrittenInPlace_WorkersKeepServing_AndHupsAndKillsLeaveOneCopyFolderPerLiveWorker()
    {
        using var dir = new TestDirectory("app-copy");
        string app = DeployedCopy.Of(RepoPaths.TestAppDll, dir, "app");
        byte[] good = File.ReadAllBytes(app);
        string temp = Path.Combine(dir.Path, "tmp");
        Directory.CreateDirectory(temp);

        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(app, port, workers: 2, ["--graceful-timeout", "10"], output,
            new Dictionary<string, string?> { ["TMPDIR"] = temp });
        var workers = server.WorkerPids();

        // Truncated and rewritten in place (same inode), as `cp new.dll app.dll` does: a worker that mapped this file
        // would read garbage pages (or die of SIGBUS) on its next call into code not yet touched.
        var garbage = new byte[good.Length];
        Random.Shared.NextBytes(garbage);
        await File.WriteAllBytesAsync(app, garbage);
        for (int i = 0; i < 20; i++)
        {
            using var client = await ThriftClients.TestServiceAsync(port);
            Assert.Equal(i + 1, await client.add(i, 1));
            Assert.Equal("after the overwrite", await client.echo("after the overwrite"));
        }
        Assert.Equal(workers.Order(), server.WorkerPids().Order());
        await File.WriteAllBytesAsync(app, good);
        await WaitForCopyFoldersAsync(server, temp, 2, "one copy folder per worker");
        foreach (string folder in CopyFolders(temp))
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(folder));

        for (int reload = 1; reload <= 3; reload++)
        {
            var old = server.WorkerPids();
            await server.SignalAndWaitUntilHandledAsync(UnixSignal.Hup);
            await server.WaitForWorkerCountAsync(2, TunicornServer.BootTimeout, pids => !pids.Intersect(old).Any(), $"HUP {reload} replaced every worker");
            await WaitForCopyFoldersAsync(server, temp, 2, $"one copy folder per worker after HUP {reload} (the old workers removed theirs)");
        }

        // A worker killed outright cannot remove its folder; the next worker to make one removes it.
        var before = server.WorkerPids();
        Assert.True(Posix.Kill(before[0], UnixSignal.Kill));
        await server.WaitForWorkerCountAsync(2, TunicornServer.BootTimeout, pids => !pids.Contains(before[0]), "the killed worker replaced");
        await WaitForCopyFoldersAsync(server, temp, 2, "one copy folder per worker after a SIGKILL");

        using (var client = await ThriftClients.TestServiceAsync(port))
            Assert.Equal(3, await client.add(1, 2));
        await server.StopAsync();
        Assert.Empty(CopyFolders(temp));
    }

    [Fact]
    public async Task WithoutAUsableTemporaryFolder_WorkersLoadTheAppAsBefore_AndServe()
    {
        using var dir = new TestDirectory("app-copy-no-tmp");
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(RepoPaths.TestAppDll, port, workers: 2, output: output,
            environment: new Dictionary<string, string?> { ["TMPDIR"] = Path.Combine(dir.Path, "missing") });
        for (int i = 0; i < 4; i++)
        {
            using var client = await ThriftClients.TestServiceAsync(port);
            Assert.Equal(i + 2, await client.add(i, 2));
        }
        Assert.Equal(2, server.WorkerPids().Count);
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "missing")));
        // Each worker says why it runs without the precompiled code, and what to do.
        await Eventually.WaitUntilAsync(() => server.Log.Snapshot().Count(l => l.Contains("[WARNING]", StringComparison.Ordinal)
                && l.Contains("App loaded without its precompiled code", StringComparison.Ordinal) && l.Contains("TMPDIR", StringComparison.Ordinal)) == 2,
            TimeSpan.FromSeconds(10), "a warning from each worker naming TMPDIR", server.Describe);
    }

    private static string[] CopyFolders(string temp) => Directory.GetDirectories(temp, "tunicorn-app-*");

    private static Task WaitForCopyFoldersAsync(TunicornServer server, string temp, int count, string description) =>
        Eventually.WaitUntilAsync(() => CopyFolders(temp).Length == count, TimeSpan.FromSeconds(15), description,
            () => $"folders: {string.Join(", ", CopyFolders(temp).Select(Path.GetFileName))}{Environment.NewLine}{server.Describe()}");
}
