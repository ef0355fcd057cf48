using System.Net.Security;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Tunicorn.IO;
using Tunicorn.Tests.Thrift;
using Tunicorn.Tests.Tls;
using Tunicorn.Thrift;
using Tunicorn.Tls;

namespace Tunicorn.Tests.IO;

/// <summary>
/// A loopback connection whose server end goes through one kind of <see cref="ISocketEngine"/>, as a worker's
/// connection does, and whose client end is a stream (TLS when the engine is).
/// </summary>
internal sealed class EngineConnection : IAsyncDisposable
{
    public const string DotNet = "dotnet";
    public const string Loop = "readiness loop";
    public const string Tls = "tls";

    private static readonly Lazy<ServerTls> s_serverTls = new(() => TestServerTls.Create());

    private readonly SocketPair _pair;
    private readonly ReadinessLoop? _loop;

    private EngineConnection(SocketPair pair, ReadinessLoop? loop, SocketReadiness? readiness, ISocketEngine engine, Stream client)
    {
        _pair = pair;
        _loop = loop;
        Readiness = readiness;
        Engine = engine;
        Client = client;
    }

    public ISocketEngine Engine { get; }

    /// <summary>The client's end: what it writes the engine reads, and the other way round.</summary>
    public Stream Client { get; }

    public Socket ClientSocket => _pair.Client;
    public Socket ServerSocket => _pair.Server;

    /// <summary>The server socket's registration with its loop, for the readiness engine; null for the others.</summary>
    public SocketReadiness? Readiness { get; }

    public static async Task<EngineConnection> OpenAsync(string kind)
    {
        var pair = await SocketPair.CreateAsync();
        switch (kind)
        {
            case DotNet:
                return new EngineConnection(pair, null, null, new DotNetSocketEngine(pair.Server), new NetworkStream(pair.Client));
            case Loop:
                var loop = new ReadinessLoop(minThreads: 1, maxThreads: 1, TimeSpan.FromSeconds(1), NullLogger.Instance);
                SocketReadiness readiness = loop.Register(pair.Server);
                return new EngineConnection(pair, loop, readiness, new ReadinessLoopEngine(readiness), new NetworkStream(pair.Client));
            case Tls:
                var client = new SslStream(new NetworkStream(pair.Client), leaveInnerStreamOpen: false);
                Task clientHandshake = client.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                {
                    TargetHost = "127.0.0.1",
                    // The test's own self-signed certificate.
                    RemoteCertificateValidationCallback = (_, _, _, _) => true,
                });
                (TlsEngine? engine, string? failure) = await s_serverTls.Value.AcceptAsync(pair.Server, ConnectionInfo.FromSocket(pair.Server, 1),
                    NullLogger.Instance, CancellationToken.None);
                await clientHandshake;
                Assert.True(engine is not null, failure);
                return new EngineConnection(pair, null, null, engine, client);
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "an engine kind");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Engine.DisposeAsync();
        await Client.DisposeAsync();
        _pair.Dispose();
        _loop?.Dispose();
    }
}
