using Microsoft.Extensions.Logging;
using Thrift.Processor;
using Thrift.Protocol;
using Thrift.Protocol.Entities;
using Thrift.Protocol.Utilities;

namespace Tunicorn.Tests.Thrift;

/// <summary>
/// The shape <c>thrift --gen netstd</c> gives a service with one method <c>i32 ping()</c>, written by hand so that unit
/// tests can serve a connection without generated code.
/// </summary>
public static class PingService
{
    public const int Answer = 42;

    public interface IAsync
    {
        Task<int> PingAsync(CancellationToken cancellationToken);
    }

    /// <remarks>The logger is only there because generated processors take one; this one logs nothing.</remarks>
    public sealed class AsyncProcessor(IAsync handler, ILogger<AsyncProcessor> logger) : ITAsyncProcessor
    {
        public ILogger<AsyncProcessor> Logger { get; } = logger;

        public async Task<bool> ProcessAsync(TProtocol iprot, TProtocol oprot, CancellationToken cancellationToken = default)
        {
            TMessage call = await iprot.ReadMessageBeginAsync(cancellationToken);
            await TProtocolUtil.SkipAsync(iprot, TType.Struct, cancellationToken);
            await iprot.ReadMessageEndAsync(cancellationToken);
            int result = await handler.PingAsync(cancellationToken);
            await oprot.WriteMessageBeginAsync(new TMessage(call.Name, TMessageType.Reply, call.SeqID), cancellationToken);
            await oprot.WriteStructBeginAsync(new TStruct("ping_result"), cancellationToken);
            await oprot.WriteFieldBeginAsync(new TField("success", TType.I32, 0), cancellationToken);
            await oprot.WriteI32Async(result, cancellationToken);
            await oprot.WriteFieldEndAsync(cancellationToken);
            await oprot.WriteFieldStopAsync(cancellationToken);
            await oprot.WriteStructEndAsync(cancellationToken);
            await oprot.WriteMessageEndAsync(cancellationToken);
            await oprot.Transport.FlushAsync(cancellationToken);
            return true;
        }
    }

    public sealed class Handler : IAsync
    {
        public Task<int> PingAsync(CancellationToken cancellationToken) => Task.FromResult(Answer);
    }
}
