using Thrift;
using Thrift.Protocol;

namespace Tunicorn.Tests.Client;

/// <summary>A stand-in for a generated client: the tests here never get as far as a call on the wire.</summary>
public sealed class FakeThriftClient(TProtocol protocol) : TBaseClient(protocol, protocol);
