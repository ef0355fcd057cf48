using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;

namespace Company.Service.Tests;

/// <summary>The service started as its own executable (master plus workers) on a free loopback port; stopped with TERM.</summary>
internal sealed class RunningService : IAsyncDisposable
{
    private readonly Process _process;

    private RunningService(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public static RunningService Start(int workers)
    {
        string executable = typeof(RunningService).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "ServiceExecutable").Value!;
        int port = FreePort();
        var info = new ProcessStartInfo(executable)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(executable)!,
        };
        foreach (string arg in new[] { "-b", $"127.0.0.1:{port}", "-w", workers.ToString(), "--graceful-timeout", "5" })
            info.ArgumentList.Add(arg);
        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {executable}");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new RunningService(process, port);
    }

    /// <summary>Waits until the port accepts connections (the workers are up), or fails after the deadline.</summary>
    public async Task WaitUntilListeningAsync(TimeSpan deadline)
    {
        var until = DateTime.UtcNow + deadline;
        while (true)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"the service exited with status {_process.ExitCode} before it listened");
            try
            {
                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < until)
            {
                await Task.Delay(100);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // TERM is the graceful stop; the master stops its workers before it exits.
            using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString()]))
                await kill.WaitForExitAsync();
            using var stopped = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await _process.WaitForExitAsync(stopped.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        _process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
