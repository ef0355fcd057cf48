using System.Collections.Concurrent;
using System.Net.Sockets;
using Thrift;
using Thrift.Protocol;
using Thrift.Transport;
using Thrift.Transport.Client;
using Tunicorn.Client.Discovery;

namespace Tunicorn.Client.Pooling;

/// <summary>
/// The idle connections to one server. A call takes one (or opens a new one), and gives it back when the call left it
/// in a known state; at most MaxIdleConnectionsPerServer are kept. Once the server leaves the view the pool is
/// closed: idle connections are closed at once, busy ones when their call ends.
/// </summary>
internal sealed class ConnectionPool(
    ServiceInstance server,
    TunicornClientOptions options,
    Func<TProtocol, TBaseClient> createClient) : IDisposable
{
    private readonly ConcurrentStack<PooledConnection> _idle = new();
    private readonly TConfiguration _configuration = options.ThriftConfiguration ?? new TConfiguration();
    private readonly ThriftWireProtocol _protocol = options.Protocol ?? ProtocolOf(server.Protocol);
    private readonly ThriftWireTransport _transport = options.Transport ?? TransportOf(server.Transport);
    private volatile bool _closed;

    public int IdleCount => _idle.Count;

    /// <summary>What this pool's connections speak, "binary/buffered": for error messages.</summary>
    public string WireFormat { get; } = $"{(options.Protocol ?? ProtocolOf(server.Protocol)).ToString().ToLowerInvariant()}/" +
        (options.Transport ?? TransportOf(server.Transport)).ToString().ToLowerInvariant();

    /// <summary>An idle connection that still looks usable, or a new one.</summary>
    /// <exception cref="SocketException">The server refused or could not be reached.</exception>
    /// <exception cref="TimeoutException">Connecting took longer than ConnectTimeout.</exception>
    public async Task<PooledConnection> AcquireAsync(CancellationToken cancellationToken)
    {
        while (_idle.TryPop(out var idle))
        {
            if (idle.LooksUsable())
            {
                idle.MarkReused();
                return idle;
            }
            idle.Dispose();
        }
        return await ConnectAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Gives a connection back after a call that left it clean; anything else is disposed.</summary>
    public void Return(PooledConnection connection)
    {
        if (_closed || _idle.Count >= options.MaxIdleConnectionsPerServer)
        {
            connection.Dispose();
            return;
        }
        _idle.Push(connection);
        // Closed meanwhile: the closing thread may have drained the stack before the push.
        if (_closed)
            DrainIdle();
    }

    public void Dispose()
    {
        _closed = true;
        DrainIdle();
    }

    /// <summary>Closes the idle connections: one broke, the others to the same server most likely did too (it died).</summary>
    public void DrainIdle()
    {
        while (_idle.TryPop(out var idle))
            idle.Dispose();
    }

    private async Task<PooledConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            connectTimeout.CancelAfter(options.ConnectTimeout);
            try
            {
                await socket.ConnectAsync(server.Host, server.Port, connectTimeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"connecting to {server.Address} took longer than {options.ConnectTimeout.TotalMilliseconds:0} ms");
            }
            var stream = new NetworkStream(socket, ownsSocket: true);
            TTransport transport = new TStreamTransport(stream, stream, _configuration);
            transport = _transport == ThriftWireTransport.Framed ? new TFramedTransport(transport) : new TBufferedTransport(transport);
            var written = new WrittenMethod();
            TProtocol protocol = MethodRecordingProtocols.Create(_protocol, transport, written);
            if (options.MultiplexedService is { } service)
                protocol = new TMultiplexedProtocol(protocol, service);
            return new PooledConnection(socket, createClient(protocol), written, fresh: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static ThriftWireProtocol ProtocolOf(string? announced) => announced?.ToLowerInvariant() switch
    {
        "compact" => ThriftWireProtocol.Compact,
        "json" => ThriftWireProtocol.Json,
        // binary, auto (the server detects it), or nothing said (a serverset entry).
        _ => ThriftWireProtocol.Binary,
    };

    private static ThriftWireTransport TransportOf(string? announced) =>
        string.Equals(announced, "framed", StringComparison.OrdinalIgnoreCase) ? ThriftWireTransport.Framed : ThriftWireTransport.Buffered;
}
