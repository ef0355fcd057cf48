using System.Net;
using System.Net.Sockets;
using Thrift;
using Thrift.Protocol;
using Thrift.Transport;
using Thrift.Transport.Client;

namespace Tunicorn.IntegrationTests.Harness;

/// <summary>
/// C# clients of the served services (the generated <c>Client</c> classes of Apache Thrift netstd), over TCP
/// (<see cref="TSocketTransport"/>) or a Unix socket, with the protocol and transport the server was told to use.
/// Dispose the client to close its connection.
/// </summary>
internal static class ThriftClients
{
    /// <summary>Read timeout of test clients: long enough for the slowest call a test makes, short enough to fail a hung test.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    public static async Task<tutorial.Calculator.Client> CalculatorAsync(int port, string protocol = "binary", string transport = "buffered",
        CancellationToken cancellationToken = default)
    {
        var client = new tutorial.Calculator.Client(Protocol(protocol, Transport(transport, Tcp(port, DefaultTimeout))));
        await OpenAsync(client, cancellationToken).ConfigureAwait(false);
        return client;
    }

    public static async Task<testapp.TestService.Client> TestServiceAsync(int port, TimeSpan? timeout = null, string protocol = "binary",
        string transport = "buffered", CancellationToken cancellationToken = default)
    {
        var client = new testapp.TestService.Client(Protocol(protocol, Transport(transport, Tcp(port, timeout ?? DefaultTimeout))));
        await OpenAsync(client, cancellationToken).ConfigureAwait(false);
        return client;
    }

    /// <summary>A Calculator client over a Unix socket (Thrift netstd has no Unix client transport; a stream over the socket is one).</summary>
    public static async Task<tutorial.Calculator.Client> CalculatorOverUnixSocketAsync(string path, CancellationToken cancellationToken = default)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        var stream = new NetworkStream(socket, ownsSocket: true) { ReadTimeout = (int)DefaultTimeout.TotalMilliseconds };
        var client = new tutorial.Calculator.Client(Protocol("binary", Transport("buffered", new TStreamTransport(stream, stream, new TConfiguration()))));
        await OpenAsync(client, cancellationToken).ConfigureAwait(false);
        return client;
    }

    /// <summary>Opens the client's transport; a client that fails to open is disposed.</summary>
    internal static async Task OpenAsync(TBaseClient client, CancellationToken cancellationToken)
    {
        try
        {
            await client.OpenTransportAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    internal static TSocketTransport Tcp(int port, TimeSpan timeout) =>
        new(IPAddress.Loopback, port, new TConfiguration(), (int)timeout.TotalMilliseconds);

    internal static TTransport Transport(string kind, TTransport inner) => kind switch
    {
        "buffered" => new TBufferedTransport(inner),
        "framed" => new TFramedTransport(inner),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "buffered or framed"),
    };

    internal static TProtocol Protocol(string kind, TTransport transport) => kind switch
    {
        "binary" => new TBinaryProtocol(transport),
        "compact" => new TCompactProtocol(transport),
        "json" => new TJsonProtocol(transport),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "binary, compact or json"),
    };
}
