using System.Net.Security;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Tunicorn.Tests.Thrift;
using Tunicorn.Thrift;
using Tunicorn.Tls;

namespace Tunicorn.Tests.Tls;

/// <summary>The TLS handshake of one connection: its engine when it succeeds, else the reason the connection closes.</summary>
public sealed class ServerTlsHandshakeTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task ATlsClient_GetsAnEngineThatCarriesItsBytes()
    {
        ServerTls serverTls = TestServerTls.Create();
        using var pair = await SocketPair.CreateAsync();
        await using var client = new SslStream(new NetworkStream(pair.Client), leaveInnerStreamOpen: false);
        Task clientHandshake = client.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "127.0.0.1",
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        });

        (TlsEngine? engine, string? failure) = await AcceptAsync(serverTls, pair.Server, CancellationToken.None);
        await clientHandshake.WaitAsync(Deadline);
        Assert.Null(failure);
        Assert.NotNull(engine);
        await using (engine)
        {
            await client.WriteAsync(new byte[] { 9, 8, 7 });
            var read = new byte[3];
            int n = await engine.ReceiveAsync(read, CancellationToken.None).AsTask().WaitAsync(Deadline);
            Assert.Equal(new byte[] { 9, 8, 7 }, read[..n]);
        }
    }

    [Fact]
    public async Task APlainThriftClient_IsRefused_AsProbablyNotUsingTls()
    {
        ServerTls serverTls = TestServerTls.Create();
        using var pair = await SocketPair.CreateAsync();
        // The start of a binary-protocol call: no TLS record.
        await pair.Client.SendAsync(Convert.FromHexString("800100010000000470696E6700000001"));

        (TlsEngine? engine, string? failure) = await AcceptAsync(serverTls, pair.Server, CancellationToken.None);

        Assert.Null(engine);
        Assert.StartsWith("TLS handshake failed: ", failure);
        Assert.EndsWith("(is the client using TLS?)", failure);
    }

    [Fact]
    public async Task AClientThatSendsNothing_IsClosedAtTheClientTimeout()
    {
        ServerTls serverTls = TestServerTls.Create(clientTimeout: 0.2);
        using var pair = await SocketPair.CreateAsync();

        (TlsEngine? engine, string? failure) = await AcceptAsync(serverTls, pair.Server, CancellationToken.None);

        Assert.Null(engine);
        Assert.Equal("TLS handshake failed: no TLS handshake within 0.2s", failure);
    }

    [Fact]
    public async Task TheWorkerAborts_TheHandshakeEndsAborted()
    {
        ServerTls serverTls = TestServerTls.Create();
        using var pair = await SocketPair.CreateAsync();
        using var abort = new CancellationTokenSource();

        Task<(TlsEngine? Engine, string? Failure)> accepting = AcceptAsync(serverTls, pair.Server, abort.Token);
        await abort.CancelAsync();

        (TlsEngine? engine, string? failure) = await accepting;
        Assert.Null(engine);
        Assert.Equal("aborted", failure);
    }

    [Fact]
    public void TheHandshakeTimeout_IsTheClientTimeout_ElseTheDefault()
    {
        Assert.Equal(ServerTls.DefaultHandshakeTimeout, TestServerTls.Create().HandshakeTimeout);
        Assert.Equal(TimeSpan.FromSeconds(3), TestServerTls.Create(clientTimeout: 3).HandshakeTimeout);
    }

    private static Task<(TlsEngine? Engine, string? Failure)> AcceptAsync(ServerTls serverTls, Socket socket, CancellationToken abort) =>
        serverTls.AcceptAsync(socket, ConnectionInfo.FromSocket(socket, 1), NullLogger.Instance, abort).WaitAsync(Deadline);
}
