using Tunicorn.Interop;

namespace Tunicorn.WorkerContract;

/// <summary>
/// Open connections per worker, in memory shared by the master and every worker. A worker that holds more
/// connections than the least loaded accepting worker lets that one take the next connection.
/// </summary>
/// <remarks>
/// Why: PLATFORM-NOTES measured that with async accept loops one worker can take every connection of a burst
/// (.NET tries accept eagerly before waiting), which with persistent Thrift connections leaves cores idle.
/// One slot a worker, assigned by the master: [pid, open connections, accepting, connection limit]. The master's
/// hand-off relay reads it too, to give a retiring worker's connections to the least loaded worker with room.
/// </remarks>
internal sealed class ConnectionBoard
{
    public const int Slots = 256;
    private const int SlotInts = 4;
    public const int Size = Slots * SlotInts * sizeof(int);

    private readonly SharedMemory _memory;

    private ConnectionBoard(SharedMemory memory) => _memory = memory;

    public int Descriptor => _memory.Descriptor;

    /// <summary>
    /// The region holds the metrics board after the connection board (Metrics/MetricsBoard.cs): one descriptor and one
    /// mapping for both, and the same slot numbers.
    /// </summary>
    private const int RegionSize = Size + Metrics.MetricsBoard.Size;

    public static ConnectionBoard Create() => new(SharedMemory.Create("tunicorn-board", RegionSize));

    public static ConnectionBoard Open(int fd) => new(SharedMemory.Open(fd, RegionSize));

    /// <summary>The whole shared region, for the metrics board that lives after <see cref="Size"/>.</summary>
    internal SharedMemory Region => _memory;

    /// <summary>Master: how many workers accept now (the admin endpoint's /readyz).</summary>
    public int AcceptingCount()
    {
        int accepting = 0;
        for (int i = 0; i < Slots; i++)
        {
            if (IsAccepting(i))
                accepting++;
        }
        return accepting;
    }

    private const int Pid = 0;
    private const int Connections = 1;
    private const int Accepting = 2;
    private const int Limit = 3;

    private ref int Field(int slot, int field) => ref _memory.Int32At(slot * SlotInts + field);

    /// <summary>Master: gives slot <paramref name="index"/> to a new worker (not accepting yet).</summary>
    public void Assign(int index, int pid)
    {
        Volatile.Write(ref Field(index, Accepting), 0);
        Volatile.Write(ref Field(index, Connections), 0);
        Volatile.Write(ref Field(index, Limit), 0);
        Volatile.Write(ref Field(index, Pid), pid);
    }

    public void SetPid(int index, int pid) => Volatile.Write(ref Field(index, Pid), pid);

    /// <summary>Master: frees the slot of a worker that exited, whatever it last wrote there.</summary>
    public void Release(int index)
    {
        Volatile.Write(ref Field(index, Pid), 0);
        Volatile.Write(ref Field(index, Accepting), 0);
        Volatile.Write(ref Field(index, Connections), 0);
        Volatile.Write(ref Field(index, Limit), 0);
    }

    public void SetAccepting(int index, bool accepting) => Volatile.Write(ref Field(index, Accepting), accepting ? 1 : 0);

    /// <summary>Master: the connections the worker of slot <paramref name="index"/> holds open now (tunicorn ctl workers).</summary>
    public int ConnectionsOf(int index) => Volatile.Read(ref Field(index, Connections));

    /// <summary>Worker: how many connections it serves at most (worker_connections), for the master's hand-off relay.</summary>
    public void SetLimit(int index, int limit) => Volatile.Write(ref Field(index, Limit), limit);

    /// <summary>
    /// Master: the accepting worker, outside the slots <paramref name="excluded"/> says, with the fewest connections and
    /// room for one more (below its limit); -1 when there is none.
    /// </summary>
    public int LeastLoadedWithRoom(Func<int, bool> excluded)
    {
        int best = -1, fewest = int.MaxValue;
        for (int i = 0; i < Slots; i++)
        {
            if (!IsAccepting(i) || excluded(i))
                continue;
            int open = Volatile.Read(ref Field(i, Connections));
            int limit = Volatile.Read(ref Field(i, Limit));
            if (open < fewest && (limit <= 0 || open < limit))
            {
                best = i;
                fewest = open;
            }
        }
        return best;
    }

    public void ConnectionOpened(int index) => Interlocked.Increment(ref Field(index, Connections));

    public void ConnectionClosed(int index) => Interlocked.Decrement(ref Field(index, Connections));

    /// <summary>True when another accepting worker holds fewer connections than this one by more than <paramref name="slack"/>.</summary>
    public bool OthersLessLoaded(int index, int slack)
    {
        int mine = Volatile.Read(ref Field(index, Connections));
        for (int i = 0; i < Slots; i++)
        {
            if (i == index)
                continue;
            if (IsAccepting(i) && Volatile.Read(ref Field(i, Connections)) + slack < mine)
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
            if (IsAccepting(i) && Volatile.Read(ref Field(i, Connections)) < limit)
                return true;
        }
        return false;
    }

    private bool IsAccepting(int slot) => Volatile.Read(ref Field(slot, Pid)) != 0 && Volatile.Read(ref Field(slot, Accepting)) != 0;
}
