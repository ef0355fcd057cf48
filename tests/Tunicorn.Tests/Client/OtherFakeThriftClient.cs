using Thrift;
using Thrift.Protocol;

namespace Tunicorn.Tests.Client;

/// <summary>A second generated-client stand-in: a second client type registered in one container.</summary>
public sealed class OtherFakeThriftClient(TProtocol protocol) : TBaseClient(protocol, protocol);
