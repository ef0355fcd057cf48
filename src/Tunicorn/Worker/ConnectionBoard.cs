using Tunicorn.Interop;

namespace Tunicorn.Worker;

/// <summary>
/// Open connections per worker, in memory shared by the master and every worker. A worker that holds more
/// connections than the least loaded accepting worker lets that one take the next connection.
/// </summary>
/// <remarks>
/// Why: PLATFORM-NOTES measured that with async accept loops one worker can take every connection of a burst
/// (.NET tries accept eagerly before waiting), which with persistent Thrift connections leaves cores idle.
/// One slot a worker, assigned by the master: [pid, open connections, accepting], three ints.
/// </remarks>
internal sealed unsafe class ConnectionBoard
{
    public const int Slots = 256;
    private const int SlotInts = 4;
    public const int Size = Slots * SlotInts * sizeof(int);

    private readonly SharedMemory _memory;

    private ConnectionBoard(SharedMemory memory) => _memory = memory;

    public int Descriptor => _memory.Descriptor;

    public static ConnectionBoard Create() => new(SharedMemory.Create("tunicorn-board", Size));

    public static ConnectionBoard Open(int fd) => new(SharedMemory.Open(fd, Size));

    private int* Slot(int index) => (int*)_memory.Address + index * SlotInts;

    /// <summary>Master: gives slot <paramref name="index"/> to a new worker (not accepting yet).</summary>
    public void Assign(int index, int pid)
    {
        int* slot = Slot(index);
        Volatile.Write(ref slot[2], 0);
        Volatile.Write(ref slot[1], 0);
        Volatile.Write(ref slot[0], pid);
    }

    public void SetPid(int index, int pid) => Volatile.Write(ref Slot(index)[0], pid);

    /// <summary>Master: frees the slot of a worker that exited, whatever it last wrote there.</summary>
    public void Release(int index)
    {
        int* slot = Slot(index);
        Volatile.Write(ref slot[0], 0);
        Volatile.Write(ref slot[2], 0);
        Volatile.Write(ref slot[1], 0);
    }

    public void SetAccepting(int index, bool accepting) => Volatile.Write(ref Slot(index)[2], accepting ? 1 : 0);

    public void ConnectionOpened(int index) => Interlocked.Increment(ref Slot(index)[1]);

    public void ConnectionClosed(int index) => Interlocked.Decrement(ref Slot(index)[1]);

    /// <summary>True when another accepting worker holds fewer connections than this one by more than <paramref name="slack"/>.</summary>
    public bool OthersLessLoaded(int index, int slack)
    {
        int mine = Volatile.Read(ref Slot(index)[1]);
        for (int i = 0; i < Slots; i++)
        {
            if (i == index)
                continue;
            int* slot = Slot(i);
            if (Volatile.Read(ref slot[0]) != 0 && Volatile.Read(ref slot[2]) != 0 && Volatile.Read(ref slot[1]) + slack < mine)
                return true;
        }
        return false;
    }

    /// <summary>True when another accepting worker holds fewer than <paramref name="limit"/> connections: it has room for the next client.</summary>
    public bool OthersBelow(int index, int limit)
    {
        for (int i = 0; i < Slots; i++)
        {
            if (i == index)
                continue;
            int* slot = Slot(i);
            if (Volatile.Read(ref slot[0]) != 0 && Volatile.Read(ref slot[2]) != 0 && Volatile.Read(ref slot[1]) < limit)
                return true;
        }
        return false;
    }
}
