using System.Net.Sockets;
using Tunicorn.Interop;

namespace Tunicorn.Master;

/// <summary>
/// The master's end of one worker's hand-off channel, as <see cref="ConnectionRelay"/> uses it: sends are serialized
/// (several relay threads may hand connections to this worker at once), and the reader holds a reference on the
/// descriptor while it is blocked in recvmsg, so that closing it at the reap cannot free its number under the read.
/// </summary>
internal sealed class WorkerChannel(int slot, int pid, Socket socket)
{
    private readonly Lock _sendLock = new();
    private bool _referenced;

    public int Slot { get; } = slot;
    public int Pid { get; } = pid;

    /// <summary>Takes the reader's reference; false when the socket is closed already.</summary>
    public bool TryEnter(out int fd)
    {
        fd = -1;
        try
        {
            socket.SafeHandle.DangerousAddRef(ref _referenced);
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
        fd = (int)socket.SafeHandle.DangerousGetHandle();
        return _referenced;
    }

    public void Leave()
    {
        if (_referenced)
            socket.SafeHandle.DangerousRelease();
    }

    /// <exception cref="InteropException">The worker is gone.</exception>
    public void Send(ReadOnlySpan<byte> message, int descriptor)
    {
        lock (_sendLock)
            DescriptorPassing.Send(FileDescriptors.DescriptorOf(socket), message, descriptor);
    }

    /// <summary>Wakes the reader (close alone would not) and closes the master's end once the reader let go of it.</summary>
    public void Close()
    {
        bool held = false;
        try
        {
            // Referenced around the call: a closed socket's number may be another descriptor's already.
            socket.SafeHandle.DangerousAddRef(ref held);
            DescriptorPassing.ShutDown(FileDescriptors.DescriptorOf(socket));
        }
        catch (ObjectDisposedException)
        {
            // Closed already: its reader saw the end of the channel.
        }
        finally
        {
            if (held)
                socket.SafeHandle.DangerousRelease();
        }
        socket.Dispose();
    }
}
