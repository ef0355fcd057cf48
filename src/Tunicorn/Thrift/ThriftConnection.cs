using System.Diagnostics;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Thrift;
using Thrift.Processor;
using Thrift.Protocol;
using Thrift.Protocol.Entities;
using Thrift.Protocol.Utilities;
using Tunicorn.Config;
using Tunicorn.IO;
using Tunicorn.Thrift.ProxyProtocol;
using Tunicorn.Tls;

namespace Tunicorn.Thrift;

/// <summary>
/// Serves one accepted connection: waits for a call, runs it through the processor, repeats. Closes the
/// connection only between calls: when the peer closes, when it stays idle past the idle timeout, or when
/// <c>stopBetweenCalls</c> fires (graceful stop, max_requests). <c>abort</c> ends even a call in flight.
/// </summary>
/// <remarks>
/// Never throws: every failure is logged at the level of whoever caused it (STYLE point 7), reported to the
/// listener, and ends this connection only. The listener hears <c>OnConnected</c> first and <c>OnClosed</c> last,
/// after the socket is closed; every call it saw start is also completed, whatever happened to the connection.
/// </remarks>
internal static partial class ThriftConnection
{
    private const string LogCategory = "Tunicorn.Thrift.ThriftConnection";
    private static long s_lastConnectionId;

    /// <summary>How long after its accept a fresh connection may take to send its first call when the worker is stopping.</summary>
    private static readonly TimeSpan FirstCallGrace = TimeSpan.FromSeconds(1);

    public static Task ServeAsync(
        Socket socket,
        ThriftApplication app,
        ThriftConnectionOptions options,
        IThriftCallListener listener,
        ILoggerFactory loggerFactory,
        CancellationToken stopBetweenCalls,
        CancellationToken abort) =>
        ServeAsync(socket, app, options, listener, loggerFactory, stopBetweenCalls, abort, readinessLoop: null);

    /// <param name="readinessLoop">The worker's own socket engine for plain connections; null for .NET's.</param>
    internal static async Task ServeAsync(
        Socket socket,
        ThriftApplication app,
        ThriftConnectionOptions options,
        IThriftCallListener listener,
        ILoggerFactory loggerFactory,
        CancellationToken stopBetweenCalls,
        CancellationToken abort,
        ReadinessLoop? readinessLoop)
    {
        ILogger logger = loggerFactory.CreateLogger(LogCategory);
        ConnectionInfo connection = ConnectionInfo.FromSocket(socket, Interlocked.Increment(ref s_lastConnectionId));
        string reason = "closed";
        bool announced = false;
        try
        {
            Log.Opened(logger, connection.Id, connection.Peer, connection.LocalEndPoint);
            SocketEngines.SetNoDelay(socket);
            if (options.ProxyProtocol is { } proxyPeers)
            {
                // Before TLS and format detection; a refused header closes the connection unseen by the listener.
                (ConnectionInfo? proxied, string? failure) = await ProxyProtocolHandshake.AcceptAsync(socket, connection, proxyPeers,
                    options.Tls is null ? readinessLoop : null, options.HandshakeTimeout, logger, abort);
                if (proxied is null)
                {
                    reason = failure!;
                    return;
                }
                connection = proxied;
            }
            announced = true;
            listener.OnConnected(connection);
            reason = await ServeCallsAsync(socket, connection, app, options, listener, loggerFactory, logger, stopBetweenCalls, abort, readinessLoop);
        }
        catch (Exception e)
        {
            // ServeCallsAsync classifies what a connection can throw; this is a listener or a bug of ours.
            Log.Unexpected(logger, connection.Id, connection.Peer, e);
            reason = $"error: {e.GetType().Name}: {e.Message}";
        }
        finally
        {
            socket.Dispose();
            try
            {
                if (announced)
                    listener.OnClosed(connection, reason);
            }
            catch (Exception e)
            {
                Log.ListenerFailed(logger, connection.Id, connection.Peer, nameof(IThriftCallListener.OnClosed), e);
            }
        }
    }

    private static async Task<string> ServeCallsAsync(
        Socket socket,
        ConnectionInfo connection,
        ThriftApplication app,
        ThriftConnectionOptions options,
        IThriftCallListener listener,
        ILoggerFactory loggerFactory,
        ILogger logger,
        CancellationToken stopBetweenCalls,
        CancellationToken abort,
        ReadinessLoop? readinessLoop)
    {
        long accepted = Stopwatch.GetTimestamp();
        ServiceProcessors processors;
        try
        {
            processors = app.GetProcessors(options.ProcessorPerConnection, loggerFactory);
        }
        catch (Exception e)
        {
            Log.NoProcessor(logger, connection.Id, connection.Peer, e);
            return $"no processor: {e.Message}";
        }

        TlsEngine? tls = null;
        if (options.Tls is { } serverTls)
        {
            (tls, string? failure) = await serverTls.AcceptAsync(socket, connection, logger, abort);
            if (tls is null)
                return failure!;
        }

        // Disposed before ServeAsync closes the socket (a readiness loop stops watching it first).
        await using ISocketEngine engine = tls ?? SocketEngines.ForPlainSocket(socket, readinessLoop);
        var tracker = new CallTracker(connection, listener);
        using var endpoint = new SocketTransport(engine, options.Configuration, options.StallTimeout, abort);
        // Built when the first call arrives: with auto, its first bytes tell the protocol and the transport.
        ThriftStack? stack = null;
        using var waiter = new ConnectionWaiter(options.IdleTimeout, stopBetweenCalls, abort);
        // What each call's message costs in memory, charged to the worker's budget; given back after each call and at close.
        using var messageMemory = new MessageMemoryAccount(options.MessageMemory, options.MaxCollectionSize);
        connection.Waiter = waiter;
        while (true)
        {
            if (stopBetweenCalls.IsCancellationRequested && connection.CallsServed > 0)
            {
                Log.ClosedForStop(logger, connection.Id, connection.Peer, connection.CallsServed);
                return "server stopping";
            }

            // Also reset by the protocols at each message end; a call that failed to reach it must not count here.
            endpoint.ResetMessageSizeAndConsumedBytes();
            WaitOutcome outcome;
            try
            {
                outcome = await waiter.WaitAsync(endpoint);
                if (outcome == WaitOutcome.Stopping && connection.CallsServed == 0)
                {
                    TimeSpan open = Stopwatch.GetElapsedTime(accepted);
                    if (open >= FirstCallGrace)
                    {
                        Log.ClosedForStopBeforeFirstCall(logger, connection.Id, connection.Peer, open.TotalSeconds);
                        return "server stopping";
                    }
                    outcome = await WaitForFirstCallAsync(endpoint, FirstCallGrace - open, abort);
                }
            }
            catch (Exception e)
            {
                return Fail(e, call: null, "between calls", connection, options, stack, listener, logger, abort);
            }

            switch (outcome)
            {
                case WaitOutcome.PeerClosed:
                    Log.PeerClosed(logger, connection.Id, connection.Peer, connection.CallsServed);
                    return "peer closed";
                case WaitOutcome.IdleTimeout:
                    Log.IdleTimeout(logger, connection.Id, connection.Peer, options.IdleTimeout.GetValueOrDefault().TotalSeconds);
                    return "idle timeout";
                case WaitOutcome.Stopping:
                    Log.ClosedForStop(logger, connection.Id, connection.Peer, connection.CallsServed);
                    return "server stopping";
                case WaitOutcome.Aborted:
                    Log.Aborted(logger, connection.Id, connection.Peer, "between calls");
                    return "aborted";
                case WaitOutcome.Evicted:
                    Log.Evicted(logger, connection.Id, connection.Peer, connection.CallsServed);
                    return "closed to admit a new connection (worker_connections reached)";
            }

            // From the call's first byte, the whole call must arrive within thrift_message_timeout (slowloris).
            endpoint.StartMessageDeadline(options.MessageTimeout);
            if (stack is null)
            {
                try
                {
                    stack = await ThriftStack.CreateAsync(endpoint, options, tracker, messageMemory, abort);
                }
                catch (Exception e)
                {
                    return Fail(e, call: null, "in the first bytes", connection, options, stack, listener, logger, abort);
                }
                if (options.Protocol == ThriftProtocolKind.Auto || options.Transport == ThriftTransportKind.Auto)
                    Log.Detected(logger, connection.Id, connection.Peer, stack.Protocol, stack.Transport);
            }

            tracker.Reset();
            bool keepOpen;
            try
            {
                Task<bool> processing = DispatchAsync(stack, processors, abort);
                // A handler that ignores the token must not hold an aborted connection open. WaitAsync allocates,
                // so only calls that really went asynchronous pay for it.
                keepOpen = processing.IsCompleted ? await processing : await processing.WaitAsync(abort);
            }
            catch (Exception e)
            {
                ThriftCall? started = tracker.Call;
                string where = started is null ? "in a message header" : $"in call {started.Method}";
                return Fail(e, started, where, connection, options, stack, listener, logger, abort);
            }
            // The call is answered: its arguments are garbage, whether or not the client sends another call soon.
            messageMemory.Release();

            // Oneway calls and refused messages may end without a message end read through the stack's input.
            endpoint.EndMessageDeadline();
            if (tracker.Call is not { } call)
            {
                // The generated processor swallows an IOException before the header, answering false.
                Log.PeerGone(logger, connection.Id, connection.Peer, "I/O error before the message header");
                return "transport error";
            }

            Complete(call, keepOpen ? tracker.FinishedResult(call) : ThriftCall.ResultTransportError, listener);
            LogApplicationException(tracker, call, logger, processors);
            if (!keepOpen)
            {
                Log.PeerGone(logger, connection.Id, connection.Peer, $"I/O error in call {call.Method}");
                return "transport error";
            }
        }
    }

    /// <summary>
    /// Reads the header of the next message, checks that it is a call, picks the service's processor and lets it read
    /// the header again (<see cref="CallInputProtocol.Replay"/>) and process the call. The generated processors check
    /// neither (a reply sent to the server would be run as a call), and a multiplexed name needs a service picked first.
    /// </summary>
    private static Task<bool> DispatchAsync(ThriftStack stack, ServiceProcessors processors, CancellationToken abort)
    {
        ValueTask<TMessage> reading = stack.Input.ReadMessageBeginAsync(abort);
        if (!reading.IsCompletedSuccessfully)
            return DispatchSlowAsync(reading, stack, processors, abort);
        TMessage header = reading.Result;
        if (header.Type is not (TMessageType.Call or TMessageType.Oneway) || processors.Resolve(header.Name, out string method) is not { } found)
            return RefuseAsync(header, stack, processors, abort);
        stack.Input.Replay(method.Length == header.Name.Length ? header : new TMessage(method, header.Type, header.SeqID));
        return found.ProcessAsync(stack.Input, stack.Output, abort);
    }

    private static async Task<bool> DispatchSlowAsync(ValueTask<TMessage> reading, ThriftStack stack, ServiceProcessors processors, CancellationToken abort)
    {
        TMessage header = await reading;
        if (header.Type is not (TMessageType.Call or TMessageType.Oneway) || processors.Resolve(header.Name, out string method) is not { } found)
            return await RefuseAsync(header, stack, processors, abort);
        stack.Input.Replay(method.Length == header.Name.Length ? header : new TMessage(method, header.Type, header.SeqID));
        return await found.ProcessAsync(stack.Input, stack.Output, abort);
    }

    /// <summary>
    /// A message that is no call gets TApplicationException InvalidMessageType, as from Apache Thrift's multiplexed
    /// processor, and closes the connection: the shape of its body is unknown. A call of a service this server does
    /// not have gets UnknownMethod (unless oneway, which has no reply), like an unknown method, and the connection lives on.
    /// </summary>
    private static async Task<bool> RefuseAsync(TMessage header, ThriftStack stack, ServiceProcessors processors, CancellationToken abort)
    {
        if (header.Type is not (TMessageType.Call or TMessageType.Oneway))
        {
            string reason = $"message type {(int)header.Type} ({header.Type}) where a call or oneway call was expected";
            await WriteApplicationExceptionAsync(stack.Output, header, TApplicationException.ExceptionType.InvalidMessageType, reason, abort);
            throw new TProtocolException(TProtocolException.INVALID_DATA, reason);
        }

        await TProtocolUtil.SkipAsync(stack.Input, TType.Struct, abort);
        await stack.Input.ReadMessageEndAsync(abort);
        if (header.Type == TMessageType.Oneway)
            return true;
        // The client chose the name: echo a bounded part of it (the output protocol cuts the reply's header name the
        // same way), and keep the service names to ourselves; they are in the operator's debug log.
        string service = header.Name[..header.Name.IndexOf(TMultiplexedProtocol.Separator, StringComparison.Ordinal)];
        await WriteApplicationExceptionAsync(stack.Output, header, TApplicationException.ExceptionType.UnknownMethod,
            $"Invalid method name: '{LogText.Printable(header.Name, LogText.MaxReplyNameLength)}': " +
            $"no service '{LogText.Printable(service, LogText.MaxReplyNameLength)}' here", abort);
        return true;
    }

    private static async Task WriteApplicationExceptionAsync(TProtocol output, TMessage header, TApplicationException.ExceptionType type,
        string message, CancellationToken abort)
    {
        await output.WriteMessageBeginAsync(new TMessage(header.Name, TMessageType.Exception, header.SeqID), abort);
        await new TApplicationException(type, message).WriteAsync(output, abort);
        await output.WriteMessageEndAsync(abort);
        await output.Transport.FlushAsync(abort);
    }

    private static void Complete(ThriftCall call, string result, IThriftCallListener listener)
    {
        call.Result = result;
        call.Duration = Stopwatch.GetElapsedTime(call.StartTimestamp);
        call.Connection.CallsServed++;
        listener.OnCallCompleted(call);
    }

    /// <summary>Logs and reports a failure at the level of whoever caused it; returns the reason the connection closes.</summary>
    private static string Fail(
        Exception error,
        ThriftCall? call,
        string where,
        ConnectionInfo connection,
        ThriftConnectionOptions options,
        ThriftStack? stack,
        IThriftCallListener listener,
        ILogger logger,
        CancellationToken abort)
    {
        ConnectionFault fault = ConnectionFault.Classify(error, options.Configuration, abort);
        if (call is not null)
            Complete(call, fault.CallResult, listener);

        switch (fault.Kind)
        {
            case ConnectionFaultKind.PeerGone:
                Log.PeerGone(logger, connection.Id, connection.Peer, $"{fault.Reason} {where}");
                return "peer gone: " + fault.Reason;
            case ConnectionFaultKind.Aborted:
                Log.Aborted(logger, connection.Id, connection.Peer, where);
                return "aborted";
            case ConnectionFaultKind.TimedOut:
                Log.TimedOut(logger, connection.Id, connection.Peer, where, fault.Reason);
                return "timed out: " + fault.Reason;
            case ConnectionFaultKind.BadInput:
                Log.BadInput(logger, connection.Id, connection.Peer, stack?.Protocol ?? options.Protocol, stack?.Transport ?? options.Transport, fault.Reason);
                listener.OnDecodeError(connection, error);
                return "bad input: " + fault.Reason;
            case ConnectionFaultKind.LimitExceeded:
                Log.LimitExceeded(logger, connection.Id, connection.Peer, fault.Reason);
                listener.OnDecodeError(connection, error);
                return "limit exceeded: " + fault.Reason;
            default:
                Log.Failed(logger, connection.Id, connection.Peer, where, error);
                return $"error: {fault.Reason}";
        }
    }

    private static void LogApplicationException(CallTracker tracker, ThriftCall call, ILogger logger, ServiceProcessors processors)
    {
        switch (tracker.ApplicationExceptionType)
        {
            case null:
                return;
            case TApplicationException.ExceptionType.UnknownMethod:
                Log.UnknownMethod(logger, call.Connection.Id, call.Connection.Peer, call.Method);
                if (processors.Names.Length > 0)
                    Log.ServicesHere(logger, call.Connection.Id, processors.Names);
                return;
            case TApplicationException.ExceptionType.InternalError:
                // The generated processor has logged the exception itself, without the method or the peer.
                Log.HandlerFailed(logger, call.Connection.Id, call.Connection.Peer, call.Method, processors.Resolve(call.Method, out _)?.GetType().FullName);
                return;
            case { } type:
                Log.ApplicationException(logger, call.Connection.Id, call.Connection.Peer, call.Method, type);
                return;
        }
    }

    /// <summary>
    /// A connection accepted just before a graceful stop has not sent its first call yet, but its client
    /// already believes it is served (a connection-per-call client writes right after connecting). Closing
    /// it now would fail that call, so it gets what is left of a short grace for its first call, counted from its
    /// accept: a connection that has sent nothing for longer is a pool's idle one, and waiting for it only held up
    /// the stop of an idle server (by a second a worker).
    /// </summary>
    private static async ValueTask<WaitOutcome> WaitForFirstCallAsync(SocketTransport endpoint, TimeSpan left, CancellationToken abort)
    {
        using var grace = CancellationTokenSource.CreateLinkedTokenSource(abort);
        grace.CancelAfter(left);
        try
        {
            return await endpoint.WaitForDataAsync(grace.Token) ? WaitOutcome.CallArrived : WaitOutcome.PeerClosed;
        }
        catch (OperationCanceledException)
        {
            return abort.IsCancellationRequested ? WaitOutcome.Aborted : WaitOutcome.Stopping;
        }
    }
}
