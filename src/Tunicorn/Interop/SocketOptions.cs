using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Tunicorn.Interop;

/// <summary>Socket options set with setsockopt(2) itself, where .NET's own setter does more than its name says.</summary>
internal static class SocketOptions
{
    /// <summary>
    /// SO_REUSEADDR alone: a restarted master can bind while old connections sit in TIME_WAIT (gunicorn's default).
    /// PLATFORM-NOTES: Socket.SetSocketOption(ReuseAddress) on Linux sets SO_REUSEPORT too, which lets a second
    /// server bind the same port silently and take half the connections.
    /// </summary>
    public static void SetReuseAddress(Socket socket) => SetFlag(socket, Libc.SO_REUSEADDR, "setsockopt(SO_REUSEADDR)");

    /// <summary>SO_REUSEPORT: several sockets, in this process or others, bound to one port (the reuse_port setting).</summary>
    public static void SetReusePort(Socket socket) => SetFlag(socket, Libc.SO_REUSEPORT, "setsockopt(SO_REUSEPORT)");

    private static unsafe void SetFlag(Socket socket, int option, string call)
    {
        int on = 1;
        if (Libc.setsockopt(FileDescriptors.DescriptorOf(socket), Libc.SOL_SOCKET, option, &on, sizeof(int)) != 0)
            throw new InteropException(call, Marshal.GetLastPInvokeError());
    }
}
