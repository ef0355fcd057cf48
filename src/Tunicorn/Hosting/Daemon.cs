using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net.Sockets;
using System.Reflection;
using System.Text;
using Tunicorn.Interop;

namespace Tunicorn.Hosting;

/// <summary>
/// The daemon setting. gunicorn forks and lets the parent exit; .NET cannot fork, so the command starts itself again as the
/// master (<see cref="LaunchAsync"/>), which starts a new session, and waits on a socket pair until that master reports
/// it listens (<see cref="ReportListening"/>): exit 0, or, when the master exits first, its exit code. Until then the
/// master's stderr is the command's, so that a failure at start reads as it would in the foreground.
/// </summary>
internal sealed class Daemon : IDisposable
{
    /// <summary>Set in the started master only: the descriptor of its end of the socket pair.</summary>
    internal const string ReadyFdVariable = "TUNICORN_DAEMON_READY_FD";

    private const string ReadyMessage = "listening\n";

    private Socket? _ready;

    private Daemon(Socket ready) => _ready = ready;

    /// <summary>True in the master a daemon launch started (and nowhere else: the variable is cleared before workers start).</summary>
    public static bool IsDetachedMaster => Environment.GetEnvironmentVariable(ReadyFdVariable) is { Length: > 0 };

    /// <summary>
    /// Starts this program again, with the same arguments, as the detached master, and waits until it listens or exits.
    /// Returns this command's exit code.
    /// </summary>
    public static async Task<int> LaunchAsync(IReadOnlyList<string> args)
    {
        var (launcherEnd, masterEnd) = FileDescriptors.CreateSocketPair();
        using var launcher = launcherEnd;
        Process master;
        using (masterEnd)
        {
            int fd = FileDescriptors.DescriptorOf(masterEnd);
            var info = CreateStartInfo(args);
            info.Environment[ReadyFdVariable] = fd.ToString(CultureInfo.InvariantCulture);
            // Nothing else is started meanwhile in this process, so no other child can inherit the descriptor.
            FileDescriptors.SetCloseOnExec(fd, false);
            try
            {
                master = Process.Start(info) ?? throw new InvalidOperationException("the master process did not start");
            }
            finally
            {
                FileDescriptors.SetCloseOnExec(fd, true);
            }
        }

        using (master)
        {
            // EOF (0 bytes) means the master closed its end without reporting, i.e. it exited (or exec'd nothing).
            var buffer = new byte[64];
            int received;
            try
            {
                received = await launcher.ReceiveAsync(buffer, SocketFlags.None);
            }
            catch (SocketException)
            {
                received = 0;
            }
            if (received > 0 && Encoding.ASCII.GetString(buffer, 0, received) == ReadyMessage)
                return 0;
            await master.WaitForExitAsync();
            int code = master.ExitCode;
            Console.Error.WriteLine($"tunicorn: error: the daemon master (pid {master.Id}) exited with code {code} before it listened");
            return code == 0 ? 1 : code;
        }
    }

    /// <summary>In the detached master: leaves the terminal's session and takes the socket to report on.</summary>
    public static Daemon BeginDetached()
    {
        string text = Environment.GetEnvironmentVariable(ReadyFdVariable)!;
        // Workers and reloads must not see it.
        Environment.SetEnvironmentVariable(ReadyFdVariable, null);
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int fd))
            throw new InvalidOperationException($"{ReadyFdVariable}='{text}' is not a descriptor number");
        FileDescriptors.SetCloseOnExec(fd, true);
        Detaching.StartSession();
        return new Daemon(FileDescriptors.FromDescriptor(fd));
    }

    /// <summary>
    /// The master listens: stdin, stdout and stderr go to /dev/null (before any worker starts, so that no worker holds the
    /// command's terminal or pipe), then the waiting command is told to exit 0.
    /// </summary>
    /// <param name="captured">stdout and stderr already go to the error log (capture_output): they stay there.</param>
    public void ReportListening(bool captured)
    {
        if (_ready is not { } ready)
            return;
        Detaching.RedirectStandardStreamsToNull(keepOutput: captured);
        try
        {
            ready.Send(Encoding.ASCII.GetBytes(ReadyMessage));
        }
        catch (SocketException)
        {
            // The command was killed meanwhile; the master runs on.
        }
        Dispose();
    }

    public void Dispose()
    {
        _ready?.Dispose();
        _ready = null;
    }

    [UnconditionalSuppressMessage("SingleFile", "IL3000:Avoid accessing Assembly file path when publishing as a single file",
        Justification = "Location is read only when the process is `dotnet app.dll`; a single-file or NativeAOT program is its own executable.")]
    private static ProcessStartInfo CreateStartInfo(IReadOnlyList<string> args)
    {
        string executable = Environment.ProcessPath ?? throw new InvalidOperationException("the path of this executable is unknown");
        var info = new ProcessStartInfo(executable) { UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(executable) == "dotnet" && Assembly.GetEntryAssembly()?.Location is { Length: > 0 } entry)
            info.ArgumentList.Add(entry);
        foreach (string arg in args)
            info.ArgumentList.Add(arg);
        return info;
    }
}
