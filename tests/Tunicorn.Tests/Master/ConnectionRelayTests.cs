using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Tunicorn.Config;
using Tunicorn.Interop;
using Tunicorn.Master;
using Tunicorn.WorkerContract;

namespace Tunicorn.Tests.Master;

/// <summary>
/// The master's relay, on real SOCK_SEQPACKET pairs and a real board: an offered descriptor reaches the least loaded
/// accepting worker with room, and the offering worker learns whether it moved.
/// </summary>
public sealed class ConnectionRelayTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private readonly ConnectionBoard _board = ConnectionBoard.Create();
    private readonly ConnectionRelay _relay;
    private readonly List<Socket> _workerEnds = [];

    public ConnectionRelayTests() => _relay = new ConnectionRelay(_board, NullLogger.Instance);

    [Fact]
    public async Task Offer_GoesToTheLeastLoadedAcceptingWorkerWithRoom_AndIsAnsweredMoved()
    {
        var retiring = AddWorker(slot: 0, pid: 100, connections: 0, limit: 10, accepting: false);
        var busy = AddWorker(slot: 1, pid: 101, connections: 5, limit: 10, accepting: true);
        var full = AddWorker(slot: 2, pid: 102, connections: 2, limit: 2, accepting: true);
        var idle = AddWorker(slot: 3, pid: 103, connections: 1, limit: 10, accepting: true);
        using var pair = Connected();

        Offer(retiring, id: 9, pair.Server);

        var (adopt, fd) = await ReceiveAsync(idle);
        Assert.Equal(HandOffMessageKind.Adopt, adopt!.Kind);
        Assert.Equal(("127.0.0.1:1", ThriftProtocolKind.Compact), (adopt.Peer, adopt.Protocol));
        using (var adopted = FileDescriptors.FromDescriptor(fd))
        {
            // The very connection: what the client writes, the adopted descriptor reads.
            pair.Client.Send([1, 2, 3]);
            var read = new byte[3];
            Assert.Equal(3, adopted.Receive(read));
        }
        var (answer, none) = await ReceiveAsync(retiring);
        Assert.Equal((HandOffMessage.Moved(9), -1), (answer, none));
        Assert.Equal(2, _board.ConnectionsOf(3));
        Assert.False(busy.Poll(0, SelectMode.SelectRead));
        Assert.False(full.Poll(0, SelectMode.SelectRead));
    }

    [Fact]
    public async Task Offer_WithNoOtherWorkerAccepting_IsKeptWithTheReason()
    {
        var retiring = AddWorker(slot: 0, pid: 100, connections: 0, limit: 10, accepting: false);
        AddWorker(slot: 1, pid: 101, connections: 10, limit: 10, accepting: true);
        using var pair = Connected();

        Offer(retiring, id: 1, pair.Server);

        var (answer, _) = await ReceiveAsync(retiring);
        Assert.Equal(HandOffMessage.Kept(1, "no other worker has room"), answer);
    }

    [Fact]
    public async Task Offer_AfterTheServerStops_IsKept()
    {
        var retiring = AddWorker(slot: 0, pid: 100, connections: 0, limit: 10, accepting: true);
        AddWorker(slot: 1, pid: 101, connections: 0, limit: 10, accepting: true);
        _relay.ServerStopping();
        using var pair = Connected();

        Offer(retiring, id: 2, pair.Server);

        var (answer, _) = await ReceiveAsync(retiring);
        Assert.Equal(HandOffMessage.Kept(2, "the server is stopping"), answer);
    }

    private Socket AddWorker(int slot, int pid, int connections, int limit, bool accepting)
    {
        _board.Assign(slot, pid);
        _board.SetLimit(slot, limit);
        for (int i = 0; i < connections; i++)
            _board.ConnectionOpened(slot);
        _board.SetAccepting(slot, accepting);
        var (master, worker) = DescriptorPassing.CreatePair();
        _workerEnds.Add(worker);
        _relay.Add(slot, pid, master);
        return worker;
    }

    private static void Offer(Socket worker, long id, Socket connection) =>
        DescriptorPassing.Send(FileDescriptors.DescriptorOf(worker),
            new HandOffMessage(HandOffMessageKind.Offer, id, ThriftProtocolKind.Compact, ThriftTransportKind.Framed, "127.0.0.1:1", null, "127.0.0.1:2").Encode(),
            FileDescriptors.DescriptorOf(connection));

    private static async Task<(HandOffMessage? Message, int Descriptor)> ReceiveAsync(Socket worker) =>
        await Task.Run(() =>
        {
            var buffer = new byte[DescriptorPassing.MaxMessage];
            int length = DescriptorPassing.Receive(FileDescriptors.DescriptorOf(worker), buffer, out int fd);
            return (HandOffMessage.TryDecode(buffer.AsSpan(0, length)), fd);
        }).WaitAsync(Deadline);

    private static ConnectedPair Connected()
    {
        var (a, b) = FileDescriptors.CreateSocketPair();
        return new ConnectedPair(a, b);
    }

    public void Dispose()
    {
        _relay.Dispose();
        foreach (var end in _workerEnds)
            end.Dispose();
    }

    private sealed record ConnectedPair(Socket Client, Socket Server) : IDisposable
    {
        public void Dispose()
        {
            Client.Dispose();
            Server.Dispose();
        }
    }
}
