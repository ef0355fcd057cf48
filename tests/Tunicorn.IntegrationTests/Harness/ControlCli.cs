using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Tunicorn.IntegrationTests.Harness;

/// <summary>Runs <c>tunicorn ctl</c> against a test's server, or talks to its control socket directly (for many requests).</summary>
internal static class ControlCli
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    /// <summary>Runs <c>[PREFIX...] tunicorn ctl ARGS</c>; <paramref name="asUser"/> runs it through setpriv as that uid and gid.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(IEnumerable<string> args,
        IReadOnlyDictionary<string, string?>? environment = null, int? asUser = null)
    {
        var start = new ProcessStartInfo
        {
            FileName = asUser is null ? RepoPaths.Cli : "/usr/bin/setpriv",
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (asUser is int uid)
        {
            foreach (string a in (string[])[$"--reuid={uid}", $"--regid={uid}", "--clear-groups", RepoPaths.Cli])
                start.ArgumentList.Add(a);
        }
        start.ArgumentList.Add("ctl");
        foreach (string a in args)
            start.ArgumentList.Add(a);
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
            start.Environment[name] = value;
        using var process = Process.Start(start) ?? throw new InvalidOperationException("tunicorn ctl did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(Deadline);
        try
        {
            await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw new TimeoutException($"tunicorn ctl {string.Join(' ', args)} did not exit within {Deadline.TotalSeconds}s");
        }
        return (process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }

    /// <summary>Runs <c>tunicorn ctl -s SOCKET ARGS --json</c>, checks it succeeded, and returns the reply.</summary>
    public static async Task<JsonElement> JsonAsync(string socket, params string[] args)
    {
        var (code, stdout, stderr) = await RunAsync(["-s", socket, .. args, "--json"]).ConfigureAwait(false);
        if (code != 0)
            throw new InvalidOperationException($"tunicorn ctl {string.Join(' ', args)} exited {code}: {stdout}{stderr}");
        using var doc = JsonDocument.Parse(stdout);
        return doc.RootElement.Clone();
    }

    /// <summary>One request straight on the socket (as tunicorn ctl sends it), without starting a process.</summary>
    public static async Task<JsonElement> AskAsync(string socket, string requestJson)
    {
        using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        using var deadline = new CancellationTokenSource(Deadline);
        await client.ConnectAsync(new UnixDomainSocketEndPoint(socket), deadline.Token).ConfigureAwait(false);
        await client.SendAsync(Encoding.UTF8.GetBytes(requestJson + "\n"), SocketFlags.None, deadline.Token).ConfigureAwait(false);
        var received = new MemoryStream();
        byte[] buffer = new byte[16384];
        int n;
        while ((n = await client.ReceiveAsync(buffer, SocketFlags.None, deadline.Token).ConfigureAwait(false)) > 0)
            received.Write(buffer, 0, n);
        using var doc = JsonDocument.Parse(received.ToArray());
        return doc.RootElement.Clone();
    }
}
