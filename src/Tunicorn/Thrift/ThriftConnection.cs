using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Tunicorn.Thrift;

/// <summary>
/// Serves one accepted connection: waits for a call, runs it through the processor, repeats. Closes the
/// connection only between calls: when the peer closes, when it stays idle past the idle timeout, or when
/// <c>stopBetweenCalls</c> fires (graceful stop, max_requests). <c>abort</c> ends even a call in flight.
/// </summary>
/// <remarks>STUB surface: owned by the Thrift helper.</remarks>
public static class ThriftConnection
{
    public static Task ServeAsync(
        Socket socket,
        ThriftApplication app,
        ThriftConnectionOptions options,
        IThriftCallListener listener,
        ILoggerFactory loggerFactory,
        CancellationToken stopBetweenCalls,
        CancellationToken abort) => throw new NotImplementedException();
}
