using Tunicorn.Interop;
using Tunicorn.WorkerContract;

namespace Tunicorn.Tests.WorkerContract;

/// <summary>The board the master creates and each worker maps through the inherited descriptor: a second mapping of one memfd.</summary>
public sealed class ConnectionBoardTests
{
    [Fact]
    public void AWorkersMapping_SeesWhatTheMasterAndOtherWorkersWrite()
    {
        var master = ConnectionBoard.Create();
        var worker = ConnectionBoard.Open(master.Descriptor);
        master.Assign(0, 100);
        master.Assign(1, 101);
        worker.SetAccepting(0, true);
        worker.SetAccepting(1, true);

        worker.ConnectionOpened(0);
        worker.ConnectionOpened(0);
        worker.ConnectionOpened(0);

        Assert.True(master.OthersLessLoaded(0, slack: 2));
        Assert.False(master.OthersLessLoaded(0, slack: 3));
        Assert.False(worker.OthersLessLoaded(1, slack: 0));
        Assert.True(worker.OthersBelow(0, limit: 1));
        Assert.False(worker.OthersBelow(1, limit: 3));
    }

    [Fact]
    public void AWorkerThatIsNotAccepting_OrAReleasedSlot_IsNoPlaceForTheNextConnection()
    {
        var board = ConnectionBoard.Create();
        board.Assign(0, 100);
        board.Assign(1, 101);
        board.SetAccepting(0, true);
        board.ConnectionOpened(0);

        Assert.False(board.OthersBelow(0, limit: 10));
        board.SetAccepting(1, true);
        Assert.True(board.OthersBelow(0, limit: 10));
        board.Release(1);
        Assert.False(board.OthersBelow(0, limit: 10));
    }

    [Fact]
    public void ConnectionsClosed_BringTheCountBack()
    {
        var board = ConnectionBoard.Create();
        board.Assign(0, 100);
        board.Assign(1, 101);
        board.SetAccepting(1, true);
        board.ConnectionOpened(0);
        board.ConnectionOpened(0);
        Assert.True(board.OthersLessLoaded(0, slack: 1));

        board.ConnectionClosed(0);
        board.ConnectionClosed(0);
        Assert.False(board.OthersLessLoaded(0, slack: 0));
    }

    [Fact]
    public void SharedMemory_RefusesAnIntegerOutsideTheRegion()
    {
        var memory = SharedMemory.Create("tunicorn-test", 16);
        memory.Int32At(3) = 7;
        Assert.Equal(7, memory.Int32At(3));
        Assert.Throws<ArgumentOutOfRangeException>(() => memory.Int32At(4));
        Assert.Throws<ArgumentOutOfRangeException>(() => memory.Int32At(-1));
    }
}
