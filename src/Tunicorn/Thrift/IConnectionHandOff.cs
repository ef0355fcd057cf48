using System.Net.Sockets;
using Tunicorn.Config;

namespace Tunicorn.Thrift;

/// <summary>
/// How a retiring worker gives its connections to a live one (handoff = true): the connection offers its socket at a
/// call boundary; the worker passes it through the master to the least loaded live worker. The worker counts what
/// moved and what stayed, and why, for its exit log.
/// </summary>
internal interface IConnectionHandOff
{
    /// <summary>
    /// Whether another worker accepts connections now: when none does (the server stops, or no successor is up), a
    /// connection at a call boundary of a stopping worker closes as without hand-off.
    /// </summary>
    bool AnotherWorkerAccepts { get; }

    /// <summary>
    /// Offers <paramref name="socket"/>, detached from every engine of this worker, with what was learnt of it. Null when
    /// it moved (the caller then closes its copy), else the reason it stays here.
    /// </summary>
    Task<string?> OfferAsync(Socket socket, ConnectionInfo connection, ThriftProtocolKind protocol, ThriftTransportKind transport);

    /// <summary>A connection that could not be offered at all stays: counted under <paramref name="reason"/> (e.g. "TLS").</summary>
    void NotMoved(string reason);
}
