using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Tunicorn.Interop;

/// <summary>
/// Passes a descriptor and a short message between processes over a Unix datagram-like socket (SOCK_SEQPACKET):
/// one message per call, the descriptor as SCM_RIGHTS ancillary data. The hand-off of connections between workers
/// goes through the master this way.
/// </summary>
/// <remarks>
/// SOCK_SEQPACKET keeps message boundaries and delivers a descriptor with the message it came with, so a reader never
/// has to match descriptors to bytes. The layouts of msghdr and cmsghdr are those of 64-bit Linux (x64 and arm64).
/// </remarks>
internal static unsafe partial class DescriptorPassing
{
    /// <summary>The longest message: the hand-off messages are a few fields of text.</summary>
    public const int MaxMessage = 2048;

    private const int SOCK_SEQPACKET = 5;
    private const int SOL_SOCKET = 1;
    private const int SCM_RIGHTS = 1;
    private const int MSG_NOSIGNAL = 0x4000;
    private const int MSG_CMSG_CLOEXEC = 0x40000000;
    private const int MSG_CTRUNC = 0x8;
    private const int EINTR = 4;
    // cmsghdr: size_t len, int level, int type, then the data aligned to size_t.
    private const int CmsgHeader = 16;
    private const int CmsgSpaceOneFd = 24;

    [StructLayout(LayoutKind.Sequential)]
    private struct IoVec
    {
        public void* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MsgHdr
    {
        public void* Name;
        public uint NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint sendmsg(int fd, MsgHdr* message, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint recvmsg(int fd, MsgHdr* message, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int shutdown(int fd, int how);

    /// <summary>A connected pair of SOCK_SEQPACKET Unix sockets, both close-on-exec.</summary>
    public static (Socket Parent, Socket Child) CreatePair()
    {
        int* fds = stackalloc int[2];
        if (Libc.socketpair(Libc.AF_UNIX, SOCK_SEQPACKET | Libc.SOCK_CLOEXEC, 0, fds) != 0)
            throw new InteropException("socketpair(SOCK_SEQPACKET)", Marshal.GetLastPInvokeError());
        return (FileDescriptors.FromDescriptor(fds[0]), FileDescriptors.FromDescriptor(fds[1]));
    }

    /// <summary>Sends one message, with <paramref name="descriptor"/> attached when it is not -1. Blocks while the peer's queue is full.</summary>
    /// <exception cref="InteropException">The peer is gone (EPIPE, ECONNRESET) or the kernel refused.</exception>
    public static void Send(int socket, ReadOnlySpan<byte> message, int descriptor)
    {
        byte* control = stackalloc byte[CmsgSpaceOneFd];
        fixed (byte* bytes = message)
        {
            var iov = new IoVec { Base = bytes, Length = (nuint)message.Length };
            var header = new MsgHdr { Iov = &iov, IovLength = 1 };
            if (descriptor >= 0)
            {
                new Span<byte>(control, CmsgSpaceOneFd).Clear();
                *(nuint*)control = CmsgHeader + sizeof(int);
                *(int*)(control + 8) = SOL_SOCKET;
                *(int*)(control + 12) = SCM_RIGHTS;
                *(int*)(control + CmsgHeader) = descriptor;
                header.Control = control;
                header.ControlLength = CmsgSpaceOneFd;
            }
            while (sendmsg(socket, &header, MSG_NOSIGNAL) < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno != EINTR)
                    throw new InteropException("sendmsg", errno);
            }
        }
    }

    /// <summary>
    /// Blocks for the next message: its length (0 when the peer closed its end) and the descriptor it carried (-1 for
    /// none), which the caller then owns; it arrives close-on-exec.
    /// </summary>
    public static int Receive(int socket, Span<byte> buffer, out int descriptor)
    {
        descriptor = -1;
        byte* control = stackalloc byte[CmsgSpaceOneFd];
        fixed (byte* bytes = buffer)
        {
            var iov = new IoVec { Base = bytes, Length = (nuint)buffer.Length };
            var header = new MsgHdr { Iov = &iov, IovLength = 1, Control = control, ControlLength = CmsgSpaceOneFd };
            nint received;
            while ((received = recvmsg(socket, &header, MSG_CMSG_CLOEXEC)) < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno != EINTR)
                    throw new InteropException("recvmsg", errno);
                header.ControlLength = CmsgSpaceOneFd;
            }
            if (header.ControlLength >= CmsgHeader + sizeof(int)
                && *(int*)(control + 8) == SOL_SOCKET && *(int*)(control + 12) == SCM_RIGHTS)
                descriptor = *(int*)(control + CmsgHeader);
            if ((header.Flags & MSG_CTRUNC) != 0 && descriptor < 0)
                throw new InteropException("recvmsg (ancillary data truncated)", 0);
            return (int)received;
        }
    }

    /// <summary>Ends both directions of a socket, waking a thread blocked in <see cref="Receive"/> on it (close alone does not).</summary>
    public static void ShutDown(int socket) => _ = shutdown(socket, 2);

    /// <summary>Closes a descriptor this process received and did not hand on.</summary>
    public static void Close(int descriptor) => _ = Libc.close(descriptor);
}
