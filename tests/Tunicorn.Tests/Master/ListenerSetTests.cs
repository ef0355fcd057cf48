using System.Net.Sockets;
using Tunicorn.Master;

namespace Tunicorn.Tests.Master;

/// <summary>The socket options of the master's listeners, read back with getsockopt.</summary>
public sealed class ListenerSetTests
{
    private const int SOL_SOCKET = 1;
    private const int SO_REUSEADDR = 2;
    private const int SO_REUSEPORT = 15;

    /// <summary>PLATFORM-NOTES: .NET's ReuseAddress option sets SO_REUSEPORT as well; only reuse_port may.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Bind_SetsSoReuseAddr_AndSoReusePortOnlyWithReusePort(bool reusePort)
    {
        using var listeners = ListenerSet.Bind(["127.0.0.1:0"], backlog: 16, reusePort);

        var socket = Assert.Single(listeners.Sockets);
        Assert.Equal(1, Option(socket, SO_REUSEADDR));
        Assert.Equal(reusePort ? 1 : 0, Option(socket, SO_REUSEPORT));
    }

    [Fact]
    public void Bind_AnAddressInUse_ThrowsInUse_NamingTheAddress()
    {
        using var first = ListenerSet.Bind(["127.0.0.1:0"], backlog: 16, reusePort: false);
        string bound = first.Names[0];

        var e = Assert.Throws<BindException>(() => ListenerSet.Bind([bound], backlog: 16, reusePort: false));

        Assert.True(e.InUse);
        Assert.StartsWith($"bind: cannot listen on {bound}: address already in use", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BindAsync_AnAddressInUse_TriesTheGivenNumberOfTimes_ThenThrows()
    {
        using var first = ListenerSet.Bind(["127.0.0.1:0"], backlog: 16, reusePort: false);
        var retried = new List<int>();

        await Assert.ThrowsAsync<BindException>(() => ListenerSet.BindAsync(
            [first.Names[0]], 16, reusePort: false, tries: 3, TimeSpan.FromMilliseconds(1), (_, attempt) => retried.Add(attempt)));

        Assert.Equal([1, 2], retried);
    }

    [Fact]
    public void Bind_AHostThatDoesNotResolve_NamesTheHost()
    {
        var e = Assert.Throws<BindException>(() => ListenerSet.Bind(["nosuchhost.invalid:1"], backlog: 16, reusePort: false));

        Assert.Contains("nosuchhost.invalid:1", e.Message, StringComparison.Ordinal);
        Assert.Contains("'nosuchhost.invalid' does not resolve", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_AUnixSocketInAMissingDirectory_SaysTheDirectoryIsMissing()
    {
        var e = Assert.Throws<BindException>(() => ListenerSet.Bind(["unix:/nonexistent/dir/s.sock"], backlog: 16, reusePort: false));

        Assert.Equal("bind: cannot listen on unix:/nonexistent/dir/s.sock: the directory /nonexistent/dir does not exist", e.Message);
    }

    private static int Option(Socket socket, int name)
    {
        var value = new byte[4];
        socket.GetRawSocketOption(SOL_SOCKET, name, value);
        return BitConverter.ToInt32(value);
    }
}
