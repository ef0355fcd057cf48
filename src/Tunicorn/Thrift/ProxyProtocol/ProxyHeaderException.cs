namespace Tunicorn.Thrift.ProxyProtocol;

/// <summary>A PROXY header that breaks the spec; the message says how, quoting no raw bytes.</summary>
internal sealed class ProxyHeaderException(string message) : Exception(message);
