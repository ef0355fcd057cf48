using System.Globalization;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Tunicorn.Interop;

namespace Tunicorn.Systemd;

/// <summary>
/// systemd socket activation (sd_listen_fds(3)), written on the protocol: LISTEN_FDS sockets from descriptor 3 up, meant for
/// the process whose pid LISTEN_PID names, their names in LISTEN_FDNAMES. The master adopts them as listeners; nothing is
/// bound anew for them, so connections queued by systemd before the master started are served.
/// </summary>
internal static partial class SocketActivation
{
    /// <summary>SD_LISTEN_FDS_START: systemd passes its sockets from this descriptor on.</summary>
    public const int FirstDescriptor = 3;

    /// <summary>The sockets passed to this process; empty when none were (or they were meant for another pid).</summary>
    /// <exception cref="InvalidOperationException">A passed descriptor is not a listening stream socket, or LISTEN_FDS is not a number.</exception>
    public static IReadOnlyList<ActivatedSocket> FromEnvironment(Func<string, string?> environment, int pid, ILoggerFactory loggers)
    {
        if (environment(SystemdEnvironment.ListenFds) is not { Length: > 0 } countText)
            return [];
        var log = loggers.CreateLogger("tunicorn.systemd");
        string? listenPid = environment(SystemdEnvironment.ListenPid);
        if (listenPid != pid.ToString(CultureInfo.InvariantCulture))
        {
            // sd_listen_fds(3): sockets passed to another process (a parent that forwarded its environment) are not ours.
            ActivationForAnotherProcess(log, listenPid ?? "(unset)", pid);
            return [];
        }
        if (!int.TryParse(countText, NumberStyles.None, CultureInfo.InvariantCulture, out int count))
            throw new InvalidOperationException($"LISTEN_FDS={countText} is not a number of descriptors");
        string[] names = environment(SystemdEnvironment.ListenFdNames)?.Split(':') ?? [];
        var sockets = new List<ActivatedSocket>(count);
        for (int i = 0; i < count; i++)
        {
            int fd = FirstDescriptor + i;
            string name = i < names.Length && names[i].Length > 0 ? names[i] : "unknown";
            sockets.Add(new ActivatedSocket(fd, name, Adopt(fd, name)));
            PassedSocket(log, fd, name, Describe(sockets[^1].Socket));
        }
        return sockets;
    }

    private static Socket Adopt(int fd, string name)
    {
        Socket socket;
        try
        {
            socket = FileDescriptors.FromDescriptor(fd);
            _ = socket.SocketType; // the runtime asks the kernel for the type: this fails for a descriptor that is no socket
        }
        catch (SocketException e)
        {
            throw new InvalidOperationException($"systemd passed descriptor {fd} ({name}), which is not a socket: {e.Message}", e);
        }
        if (socket.SocketType != SocketType.Stream || !IsListening(socket))
        {
            string what = socket.SocketType != SocketType.Stream ? $"a {socket.SocketType.ToString().ToLowerInvariant()} socket" : "a stream socket that does not listen";
            socket.SafeHandle.SetHandleAsInvalid(); // systemd's descriptor, left as it is
            throw new InvalidOperationException(
                $"systemd passed descriptor {fd} ({name}), {what}; tunicorn serves listening stream sockets (ListenStream= with Accept=no)");
        }
        return socket;
    }

    /// <summary>SO_ACCEPTCONN, read as a raw option: .NET has no name for it.</summary>
    internal static bool IsListening(Socket socket)
    {
        const int SolSocket = 1, SoAcceptConn = 30;
        Span<byte> value = stackalloc byte[sizeof(int)];
        return socket.GetRawSocketOption(SolSocket, SoAcceptConn, value) == sizeof(int) && BitConverter.ToInt32(value) != 0;
    }

    private static string Describe(Socket socket) => socket.LocalEndPoint?.ToString() ?? "?";

    [LoggerMessage(EventId = 1704, Level = LogLevel.Information, Message = "Socket activation: descriptor {Descriptor} ({Name}) listens at {Address}")]
    private static partial void PassedSocket(ILogger logger, int descriptor, string name, string address);

    [LoggerMessage(EventId = 1705, Level = LogLevel.Warning, Message = "LISTEN_FDS is set for pid {ListenPid}, not this master ({Pid}); those descriptors are not used")]
    private static partial void ActivationForAnotherProcess(ILogger logger, string listenPid, int pid);
}
