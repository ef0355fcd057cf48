using System.Net;
using System.Net.Sockets;
using Tunicorn.Interop;
using Tunicorn.Master;
using Tunicorn.Systemd;

namespace Tunicorn.Tests.Systemd;

/// <summary>How the sockets systemd passed join the master's listeners (socket activation), with real sockets.</summary>
public sealed class ActivatedListenerTests : IDisposable
{
    private readonly Socket _passed = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly ActivatedSocket _activated;

    public ActivatedListenerTests()
    {
        _passed.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _passed.Listen(8);
        _activated = new ActivatedSocket(FileDescriptors.DescriptorOf(_passed), "thrift", _passed);
    }

    private int Port => ((IPEndPoint)_passed.LocalEndPoint!).Port;

    [Fact]
    public void WithTheDefaultBind_OnlyThePassedSocketListens()
    {
        using var listeners = ListenerSet.Bind(["127.0.0.1:9090"], backlog: 16, reusePort: false, [_activated]);

        Assert.Same(_passed, Assert.Single(listeners.Sockets));
        Assert.Equal([$"127.0.0.1:{Port}"], listeners.Names);
    }

    [Theory]
    [InlineData("127.0.0.1:{0}")]
    [InlineData("localhost:{0}")]
    public void ABindForThePassedAddress_ReusesThePassedSocket(string bind)
    {
        using var listeners = ListenerSet.Bind([string.Format(bind, Port)], backlog: 16, reusePort: false, [_activated]);

        Assert.Same(_passed, Assert.Single(listeners.Sockets));
    }

    [Fact]
    public void ABindForAnotherAddress_IsBoundBesideThePassedSocket()
    {
        using var listeners = ListenerSet.Bind(["127.0.0.1:0"], backlog: 16, reusePort: false, [_activated]);

        Assert.Equal(2, listeners.Sockets.Count);
        Assert.Contains(_passed, listeners.Sockets);
    }

    [Fact]
    public void AReloadThatDropsEveryBind_KeepsThePassedSocket_Open()
    {
        var first = ListenerSet.Bind(["127.0.0.1:0"], backlog: 16, reusePort: false, [_activated]);
        var next = ListenerSet.Reconcile(first, ["127.0.0.1:9090"], backlog: 16, reusePort: false);
        first.CloseExcept(next);

        Assert.Same(_passed, Assert.Single(next.Sockets));
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(IPAddress.Loopback, Port); // still listening
        next.Dispose();
    }

    public void Dispose() => _passed.Dispose();
}
