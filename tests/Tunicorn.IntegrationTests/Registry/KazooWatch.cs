using System.Text.Json;
using Tunicorn.IntegrationTests.Harness;

namespace Tunicorn.IntegrationTests.Registry;

/// <summary>
/// tests/clients/python/registry_zk_watch.py running under Debian's python3 with kazoo: an independent ZooKeeper client
/// that prints the service's members each time they change. Stopped by pid on dispose.
/// </summary>
internal sealed class KazooWatch : IAsyncDisposable
{
    public const string Script = "registry_zk_watch.py";

    private KazooWatch(ManagedProcess process) => Process = process;

    public ManagedProcess Process { get; }

    /// <summary>The members (node name -> JSON data) in the watcher's latest line.</summary>
    public IReadOnlyDictionary<string, JsonElement> Members
    {
        get
        {
            string? line = Process.Stdout.Snapshot().LastOrDefault(l => l.StartsWith("members ", StringComparison.Ordinal));
            if (line is null)
                return new Dictionary<string, JsonElement>();
            using var document = JsonDocument.Parse(line["members ".Length..]);
            return document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());
        }
    }

    public static async Task<KazooWatch> StartAsync(string hosts, string path)
    {
        var process = ManagedProcess.Start(PythonClient.Interpreter,
            [Path.Combine(RepoPaths.PythonClients, Script), "--hosts", hosts, "--path", path, "--duration", "120"],
            new Dictionary<string, string?> { ["PYTHONDONTWRITEBYTECODE"] = "1", ["PYTHONUNBUFFERED"] = "1" });
        var watch = new KazooWatch(process);
        try
        {
            await process.WaitForLineAsync(process.Stdout, new("^members "), TimeSpan.FromSeconds(30));
            return watch;
        }
        catch
        {
            await watch.DisposeAsync();
            throw;
        }
    }

    public async Task<IReadOnlyDictionary<string, JsonElement>> WaitForMembersAsync(int count, TimeSpan? timeout = null)
    {
        IReadOnlyDictionary<string, JsonElement> members = new Dictionary<string, JsonElement>();
        await Eventually.WaitUntilAsync(() => (members = Members).Count == count, timeout ?? TimeSpan.FromSeconds(10),
            $"kazoo sees {count} members", Process.DescribeOutput);
        return members;
    }

    public ValueTask DisposeAsync() => Process.DisposeAsync();
}
