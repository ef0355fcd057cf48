using System.Net.Sockets;

namespace Tunicorn.IO;

/// <summary>
/// A socket's registration with a <see cref="ReadinessLoop"/>: the events for reading and for writing. Dispose it
/// before the socket: the loop must stop watching a descriptor before its number can be reused.
/// </summary>
internal sealed class SocketReadiness(ReadinessLoop loop, Socket socket, int slot, uint generation) : IDisposable
{
    private int _disposed;

    public Socket Socket { get; } = socket;
    public ReadinessSignal Read { get; } = new();
    public ReadinessSignal Write { get; } = new();
    internal int Slot { get; } = slot;
    internal uint Generation { get; } = generation;

    /// <summary>Write events were asked for (<see cref="ArmWrite"/>); the loop keeps them in the mask when it re-arms the socket.</summary>
    internal bool WriteArmed { get; set; }

    /// <summary>Call after a write found no room and before waiting on <see cref="Write"/>; false when the socket is gone.</summary>
    public bool ArmWrite() => loop.ArmWrite(this);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            loop.Unregister(this);
            Read.ReleaseCancellation();
            Write.ReleaseCancellation();
        }
    }
}
