using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Tunicorn.Interop;

/// <summary>Close-on-exec control and socket pairs: how listeners and control channels reach worker processes.</summary>
internal static class FileDescriptors
{
    /// <summary>
    /// Marks every descriptor from 3 up close-on-exec. PLATFORM-NOTES: Process.Start closes nothing, so fds the
    /// master inherited from its own parent would otherwise leak into every worker.
    /// </summary>
    public static void MarkAllCloseOnExec()
    {
        // close_range needs Linux 5.11; on older kernels the leak is cosmetic, so carry on.
        _ = Libc.close_range(3, uint.MaxValue, Libc.CLOSE_RANGE_CLOEXEC);
    }

    public static void SetCloseOnExec(int fd, bool closeOnExec)
    {
        int flags = Libc.fcntl(fd, Libc.F_GETFD, 0);
        if (flags < 0)
            throw new InteropException("fcntl(F_GETFD)", Marshal.GetLastPInvokeError());
        int wanted = closeOnExec ? flags | Libc.FD_CLOEXEC : flags & ~Libc.FD_CLOEXEC;
        if (wanted != flags && Libc.fcntl(fd, Libc.F_SETFD, wanted) < 0)
            throw new InteropException("fcntl(F_SETFD)", Marshal.GetLastPInvokeError());
    }

    /// <summary>A connected pair of Unix stream sockets, both close-on-exec.</summary>
    public static unsafe (Socket Parent, Socket Child) CreateSocketPair()
    {
        int* fds = stackalloc int[2];
        if (Libc.socketpair(Libc.AF_UNIX, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC, 0, fds) != 0)
            throw new InteropException("socketpair", Marshal.GetLastPInvokeError());
        return (FromDescriptor(fds[0]), FromDescriptor(fds[1]));
    }

    /// <summary>Adopts an inherited or native socket descriptor; .NET recovers its family and type by itself.</summary>
    public static Socket FromDescriptor(int fd) => new(new SafeSocketHandle(fd, ownsHandle: true));

    public static int DescriptorOf(Socket socket) => (int)socket.SafeHandle.DangerousGetHandle();
}
