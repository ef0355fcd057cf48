using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Tunicorn.Interop;
using Tunicorn.Systemd;

namespace Tunicorn.Master;

/// <summary>
/// The listening sockets a master started by USR2 inherits from its predecessor (<see cref="UpgradeEnvironment.ListenerFds"/>).
/// They take the path of systemd's sockets (<see cref="ActivatedSocket"/>): adopted as listeners, an address that one of them
/// serves is not bound again, so the kernel queue, and the connections waiting in it, are the same in both masters.
/// </summary>
internal static partial class InheritedListeners
{
    /// <summary>The name the adopted sockets carry where systemd's carry their FileDescriptorName=.</summary>
    public const string Name = "upgrade";

    /// <summary>
    /// The sockets listed in <see cref="UpgradeEnvironment.ListenerFds"/>; empty when none are. Both variables are then
    /// removed from this process's environment: the workers and a later upgrade must not take them for theirs.
    /// </summary>
    /// <exception cref="InvalidOperationException">A listed descriptor is not a listening stream socket.</exception>
    public static IReadOnlyList<ActivatedSocket> TakeFromEnvironment(ILoggerFactory loggers)
    {
        var fds = UpgradeEnvironment.Descriptors(Environment.GetEnvironmentVariable);
        Environment.SetEnvironmentVariable(UpgradeEnvironment.ListenerFds, null);
        if (fds.Count == 0)
            return [];
        var log = loggers.CreateLogger("tunicorn.master");
        var sockets = new List<ActivatedSocket>(fds.Count);
        foreach (int fd in fds)
        {
            var socket = Adopt(fd);
            sockets.Add(new ActivatedSocket(fd, Name, socket));
            InheritedSocket(log, fd, socket.LocalEndPoint?.ToString() ?? "?");
        }
        return sockets;
    }

    private static Socket Adopt(int fd)
    {
        Socket socket;
        try
        {
            socket = FileDescriptors.FromDescriptor(fd);
            _ = socket.SocketType; // the runtime asks the kernel: this fails for a descriptor that is no socket
        }
        catch (SocketException e)
        {
            throw new InvalidOperationException($"{UpgradeEnvironment.ListenerFds}: descriptor {fd} is not a socket: {e.Message}", e);
        }
        if (socket.SocketType != SocketType.Stream || !SocketActivation.IsListening(socket))
        {
            socket.SafeHandle.SetHandleAsInvalid(); // not ours to close
            throw new InvalidOperationException($"{UpgradeEnvironment.ListenerFds}: descriptor {fd} is not a listening stream socket");
        }
        return socket;
    }

    [LoggerMessage(EventId = 1620, Level = LogLevel.Information, Message = "Upgrade: descriptor {Descriptor} inherited from the previous master listens at {Address}")]
    private static partial void InheritedSocket(ILogger logger, int descriptor, string address);
}
