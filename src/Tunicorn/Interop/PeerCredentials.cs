using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Tunicorn.Interop;

/// <summary>
/// Who is at the other end of a connected Unix socket: SO_PEERCRED, the process, user and group the kernel recorded at
/// connect(2). Unlike the socket file's mode, a client cannot choose or fake them.
/// </summary>
internal readonly record struct PeerCredentials(int Pid, uint Uid, uint Gid)
{
    private const int SolSocket = 1;
    private const int SoPeerCred = 17;

    /// <summary>Reads them from <paramref name="socket"/> (struct ucred: pid, uid, gid, 4 bytes each).</summary>
    /// <exception cref="SocketException">The socket is not a connected Unix socket.</exception>
    public static PeerCredentials Of(Socket socket)
    {
        Span<byte> ucred = stackalloc byte[12];
        int length = socket.GetRawSocketOption(SolSocket, SoPeerCred, ucred);
        if (length < 12)
            throw new SocketException((int)SocketError.InvalidArgument);
        // In the machine's own byte order, as the kernel wrote the struct.
        return new PeerCredentials(
            MemoryMarshal.Read<int>(ucred),
            MemoryMarshal.Read<uint>(ucred[4..]),
            MemoryMarshal.Read<uint>(ucred[8..]));
    }

    /// <summary>The effective uid of this process: the control socket answers this user and root.</summary>
    public static uint OwnUid => Libc.geteuid();
}
