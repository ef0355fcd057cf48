using Thrift;
using Thrift.Protocol;
using Thrift.Transport;
using Thrift.Transport.Client;
using Tunicorn.IntegrationTests.Harness;

namespace Tunicorn.IntegrationTests.Conformance;

/// <summary>
/// C# clients of the ThriftTest example (Apache Thrift netstd's generated clients), over TCP with any protocol and
/// transport, plain or through TMultiplexedProtocol. Dispose the client to close its connection.
/// </summary>
internal static class ConformanceClients
{
    public static readonly TimeSpan DefaultTimeout = ThriftClients.DefaultTimeout;

    /// <summary>The six protocol x transport cells of the interop matrix, as "protocol:transport".</summary>
    public static readonly IReadOnlyList<string> Cells =
        [.. from p in new[] { "binary", "compact", "json" } from t in new[] { "buffered", "framed" } select $"{p}:{t}"];

    public static async Task<ThriftTest.ThriftTest.Client> ThriftTestAsync(int port, string protocol, string transport,
        string? multiplexedName = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        TProtocol wire = ThriftClients.Protocol(protocol, ThriftClients.Transport(transport, ThriftClients.Tcp(port, timeout ?? DefaultTimeout)));
        var client = new ThriftTest.ThriftTest.Client(multiplexedName is null ? wire : new TMultiplexedProtocol(wire, multiplexedName));
        await ThriftClients.OpenAsync(client, cancellationToken).ConfigureAwait(false);
        return client;
    }

    /// <summary>ThriftTest and SecondService clients on one connection, through TMultiplexedProtocol.</summary>
    public static async Task<(ThriftTest.ThriftTest.Client Test, ThriftTest.SecondService.Client Second)> MultiplexedAsync(int port,
        string protocol, string transport, CancellationToken cancellationToken = default)
    {
        TProtocol wire = ThriftClients.Protocol(protocol, ThriftClients.Transport(transport, ThriftClients.Tcp(port, DefaultTimeout)));
        var test = new ThriftTest.ThriftTest.Client(new TMultiplexedProtocol(wire, "ThriftTest"));
        await ThriftClients.OpenAsync(test, cancellationToken).ConfigureAwait(false);
        return (test, new ThriftTest.SecondService.Client(new TMultiplexedProtocol(wire, "SecondService")));
    }

    /// <summary>Closes the client's connection; a client broken by a failed call must not fail the test again here.</summary>
    public static void Close(TBaseClient client)
    {
        try
        {
            client.Dispose();
        }
        catch (Exception e) when (e is TTransportException or IOException or ObjectDisposedException)
        {
        }
    }
}
