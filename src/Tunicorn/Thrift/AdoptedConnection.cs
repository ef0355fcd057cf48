using Tunicorn.Config;

namespace Tunicorn.Thrift;

/// <summary>
/// A connection another worker handed over: who it is and the format its first calls showed, so that it is served
/// without the PROXY header, TLS or detection steps (they were done where it was accepted).
/// </summary>
/// <param name="Protocol">Auto when the other worker had read no call on it yet: then it is detected here.</param>
internal sealed record AdoptedConnection(ConnectionInfo Connection, ThriftProtocolKind Protocol, ThriftTransportKind Transport);
