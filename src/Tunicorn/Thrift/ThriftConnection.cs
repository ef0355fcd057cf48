using System.Diagnostics;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Thrift;
using Thrift.Processor;
using Thrift.Protocol;
using Thrift.Protocol.Entities;
using Thrift.Protocol.Utilities;
using Tunicorn.Config;
using Tunicorn.Interop;
using Tunicorn.IO;
using Tunicorn.Thrift.ProxyProtocol;
using Tunicorn.Tls;

namespace Tunicorn.Thrift;

/// <summary>
/// One accepted connection: waits for a call, dispatches it to the processor, repeats. Closes only between calls: when
/// the peer closes, when it stays idle past the idle timeout, or when <see cref="ConnectionServices.StopBetweenCalls"/>
/// fires (graceful stop, max_requests); <see cref="ConnectionServices.Abort"/> ends even a call in flight.
/// </summary>
/// <remarks>
/// Its steps: <see cref="AcceptProxyHeaderAsync"/>, <see cref="OpenAsync"/> (processors, TLS handshake, socket
/// engine), then per call <see cref="WaitForCallAsync"/>, <see cref="DispatchAsync"/> and <see cref="FinishCall"/>,
/// and <see cref="Close"/>. What it tells its worker goes through <see cref="IConnectionReporter"/>.
/// <see cref="ServeAsync"/> never throws: every failure is logged at the level of whoever caused it (STYLE point 7),
/// reported, and ends this connection only.
/// </remarks>
internal sealed partial class ThriftConnection
{
    internal const string LogCategory = "Tunicorn.Thrift.ThriftConnection";
    private static long s_lastConnectionId;

    /// <summary>How long after its accept a fresh connection may take to send its first call when the worker is stopping.</summary>
    private static readonly TimeSpan FirstCallGrace = TimeSpan.FromSeconds(1);

    private readonly Socket _socket;
    private readonly ConnectionServices _services;
    private readonly ThriftConnectionOptions _options;
    private readonly IConnectionReporter _reporter;
    private readonly ILogger _logger;
    private readonly CancellationToken _abort;
    // Null when calls run where their bytes arrived (async).
    private readonly CallGate? _gate;
    // This connection's place in the gate's queue, reused for each call.
    private readonly CallGate.Waiter? _turn;
    private readonly long _accepted = Stopwatch.GetTimestamp();
    // The peer as the PROXY header names it, when there is one.
    private ConnectionInfo _connection;

    // Set by OpenAsync, in this order, and released by ReleaseAsync in the reverse order.
    private ServiceProcessors? _processors;
    private ISocketEngine? _engine;
    private SocketTransport? _endpoint;
    private CallTracker? _tracker;
    private ConnectionWaiter? _waiter;
    // What each call's message costs in memory, charged to the worker's budget; given back after each call and at close.
    private MessageMemoryAccount? _messageMemory;
    // Built when the first call arrives: with auto, its first bytes tell the protocol and the transport.
    private ThriftStack? _stack;
    // Handed over by another worker: served without the PROXY header, TLS and (when known) detection steps.
    private readonly AdoptedConnection? _adopted;
    // The worker stops but this connection stays (it could not move): served until the peer closes or the worker aborts.
    private bool _staying;
    // Another worker serves it now: this process only lets go of its descriptor.
    private bool _handedOff;
    // The endpoint's byte counts when the current call's dispatch began: the call's sizes are what they grew by.
    private long _consumedAtDispatch;
    private long _sentAtDispatch;

    /// <param name="adopted">Set for a connection another worker handed over, which this one serves as if it had accepted it.</param>
    public ThriftConnection(Socket socket, ConnectionServices services, AdoptedConnection? adopted = null)
    {
        _adopted = adopted;
        _socket = socket;
        _services = services;
        _options = services.Options;
        _reporter = services.Reporter;
        _logger = services.Logger;
        _abort = services.Abort;
        _gate = services.CallGate;
        _turn = _gate is null ? null : new CallGate.Waiter();
        long id = Interlocked.Increment(ref s_lastConnectionId);
        _connection = adopted is null ? ConnectionInfo.FromSocket(socket, id)
            : new ConnectionInfo { Id = id, Peer = adopted.Connection.Peer, LocalEndPoint = adopted.Connection.LocalEndPoint, ProxiedBy = adopted.Connection.ProxiedBy };
    }

    /// <summary>Serves the connection until it closes, then closes the socket. Never throws.</summary>
    public async Task ServeAsync()
    {
        string reason = "closed";
        bool opened = false;
        try
        {
            if (_adopted is null)
                Log.Opened(_logger, _connection.Id, _connection.Peer, _connection.LocalEndPoint);
            else
                Log.Adopted(_logger, _connection.Id, _connection.Peer, _connection.LocalEndPoint);
            SocketEngines.SetNoDelay(_socket);
            if (_adopted is null && await AcceptProxyHeaderAsync() is { } refused)
            {
                reason = refused;
                return;
            }
            opened = true;
            _reporter.Opened(_connection);
            reason = await ServeCallsAsync();
        }
        catch (Exception e)
        {
            // ServeCallsAsync classifies what a connection can throw; this is the reporter or a bug of ours.
            Log.Unexpected(_logger, _connection.Id, _connection.Peer, e);
            reason = $"error: {e.GetType().Name}: {e.Message}";
        }
        finally
        {
            Close(opened, reason);
        }
    }

    /// <summary>
    /// With proxy_protocol, before TLS and format detection: the header names the client, which becomes the peer. Null
    /// to go on, else the reason the connection closes, unseen by the reporter.
    /// </summary>
    private async Task<string?> AcceptProxyHeaderAsync()
    {
        if (_options.ProxyProtocol is not { } proxyPeers)
            return null;
        (ConnectionInfo? proxied, string? failure) = await ProxyProtocolHandshake.AcceptAsync(_socket, _connection, proxyPeers, _services);
        if (proxied is null)
            return failure!;
        _connection = proxied;
        return null;
    }

    /// <summary>Opens the connection, then serves its calls; returns the reason it closes.</summary>
    private async Task<string> ServeCallsAsync()
    {
        try
        {
            if (await OpenAsync() is { } failure)
                return failure;
            return await CallLoopAsync();
        }
        finally
        {
            await ReleaseAsync();
        }
    }

    /// <summary>The processors, the TLS handshake and the socket engine: null when the connection is ready for calls, else the reason it closes.</summary>
    private async Task<string?> OpenAsync()
    {
        try
        {
            _processors = _services.App.GetProcessors(_options.ProcessorPerConnection, _services.LoggerFactory);
        }
        catch (Exception e)
        {
            Log.NoProcessor(_logger, _connection.Id, _connection.Peer, e);
            return $"no processor: {e.Message}";
        }

        if (await OpenTransportAsync() is { } failure)
            return failure;
        _tracker = new CallTracker(_connection, _reporter);
        _waiter = new ConnectionWaiter(_options.IdleTimeout, _services.StopBetweenCalls, _abort);
        _messageMemory = new MessageMemoryAccount(_options.MessageMemory, _options.MaxCollectionSize);
        _connection.Waiter = _waiter;
        return null;
    }

    /// <summary>The TLS handshake when TLS is on, then the socket engine: null when open, else the reason the connection closes.</summary>
    private async Task<string?> OpenTransportAsync()
    {
        TlsEngine? tls = null;
        // Only plain connections are ever handed over: an adopted one has no TLS layer to set up.
        if (_options.Tls is { } serverTls && _adopted is null)
        {
            (tls, string? failure) = await serverTls.AcceptAsync(_socket, _connection, _logger, _abort);
            if (tls is null)
                return failure!;
        }
        // Disposed (ReleaseAsync) before the socket closes: a readiness loop stops watching it first.
        _engine = tls ?? SocketEngines.ForPlainSocket(_socket, _services.ReadinessLoop);
        _endpoint = new SocketTransport(_engine, _options.Configuration, _options.StallTimeout, _abort);
        return null;
    }

    /// <summary>Waits for a call, dispatches it, repeats; returns the reason the connection closes.</summary>
    /// <remarks>
    /// The hot path: one async method for the connection's whole life, which awaits what it calls directly, so that a
    /// call allocates no state machine of ours. The steps it calls are synchronous or return the awaited task as is.
    /// </remarks>
    private async Task<string> CallLoopAsync()
    {
        while (true)
        {
            if (_services.StopBetweenCalls.IsCancellationRequested && _connection.CallsServed > 0 && !_staying)
            {
                if (await LeaveOrStayAsync() is { } left)
                    return left;
            }

            WaitOutcome outcome;
            try
            {
                outcome = await WaitForCallAsync();
                // With nobody to move to (the server stops), a fresh connection gets its first-call grace as before.
                if (outcome == WaitOutcome.Stopping && _services.HandOff is { AnotherWorkerAccepts: true })
                {
                    if (await LeaveOrStayAsync() is { } left)
                        return left;
                    continue;
                }
                if (outcome == WaitOutcome.Stopping && _connection.CallsServed == 0)
                {
                    TimeSpan open = Stopwatch.GetElapsedTime(_accepted);
                    if (open >= FirstCallGrace)
                    {
                        Log.ClosedForStopBeforeFirstCall(_logger, _connection.Id, _connection.Peer, open.TotalSeconds);
                        return "server stopping";
                    }
                    outcome = await WaitForFirstCallAsync(FirstCallGrace - open);
                }
            }
            catch (Exception e)
            {
                return Fail(e, call: null, "between calls");
            }
            if (ReasonToClose(outcome) is { } closing)
                return closing;

            // Sync and threaded: the call waits for its turn here, before its deadline starts, so that time spent
            // behind other connections' calls is not counted against it; then it runs on a call thread.
            if (_gate is not null)
                await _gate.EnterAsync(_turn!);
            string? closed;
            try
            {
                if (_gate is not null && _abort.IsCancellationRequested)
                {
                    Log.Aborted(_logger, _connection.Id, _connection.Peer, "waiting for its turn");
                    return "aborted";
                }
                // From the call's first byte, the whole call must arrive within thrift_message_timeout (slowloris).
                _endpoint!.StartMessageDeadline(_options.MessageTimeout);
                if (_stack is null && await CreateStackAsync() is { } failure)
                    return failure;

                _tracker!.Reset();
                _consumedAtDispatch = _endpoint.BytesConsumed;
                _sentAtDispatch = _endpoint.BytesSent;
                bool keepOpen;
                try
                {
                    Task<bool> processing = DispatchAsync();
                    // A handler that ignores the token must not hold an aborted connection open. WaitAsync allocates,
                    // so only calls that really went asynchronous pay for it.
                    keepOpen = processing.IsCompleted ? await processing : await processing.WaitAsync(_abort);
                }
                catch (Exception e)
                {
                    ThriftCall? started = _tracker.Call;
                    return Fail(e, started, started is null ? "in a message header" : $"in call {started.Method}");
                }
                // Reported before the turn passes on: with sync, post_request and max_requests see one call at a time.
                closed = FinishCall(keepOpen);
            }
            finally
            {
                // The reply is flushed (or the call failed): the oldest waiting connection's call may run.
                _gate?.Leave();
            }
            if (closed is not null)
                return closed;
        }
    }

    /// <summary>Waits for the first byte of the next call (or what ends the wait instead).</summary>
    private ValueTask<WaitOutcome> WaitForCallAsync()
    {
        // Also reset by the protocols at each message end; a call that failed to reach it must not count here.
        _endpoint!.ResetMessageSizeAndConsumedBytes();
        return _waiter!.WaitAsync(_endpoint);
    }

    /// <summary>
    /// A connection accepted just before a graceful stop has not sent its first call yet, but its client
    /// already believes it is served (a connection-per-call client writes right after connecting). Closing
    /// it now would fail that call, so it gets what is left of a short grace for its first call, counted from its
    /// accept: a connection that has sent nothing for longer is a pool's idle one, and waiting for it only held up
    /// the stop of an idle server (by a second a worker).
    /// </summary>
    private async ValueTask<WaitOutcome> WaitForFirstCallAsync(TimeSpan left)
    {
        using var grace = CancellationTokenSource.CreateLinkedTokenSource(_abort);
        grace.CancelAfter(left);
        try
        {
            return await _endpoint!.WaitForDataAsync(grace.Token) ? WaitOutcome.CallArrived : WaitOutcome.PeerClosed;
        }
        catch (OperationCanceledException)
        {
            return _abort.IsCancellationRequested ? WaitOutcome.Aborted : WaitOutcome.Stopping;
        }
    }

    /// <summary>
    /// At a call boundary of a stopping worker (its reply sent, no byte of the next call read into this process): hands
    /// the connection to a live worker when it can move, and returns the reason this one lets go of it; else null, and
    /// the connection stays, served until the peer closes it or graceful_timeout ends. Without hand-off, or when no other
    /// worker accepts (the server stops), it closes as it always did.
    /// </summary>
    private async ValueTask<string?> LeaveOrStayAsync()
    {
        if (_services.HandOff is not { } handOff || !handOff.AnotherWorkerAccepts)
        {
            Log.ClosedForStop(_logger, _connection.Id, _connection.Peer, _connection.CallsServed);
            return "server stopping";
        }
        // Bytes of the next call already in this process's buffer would be lost to the new worker.
        string? stays = _engine is not ReadinessLoopEngine ? (_engine is TlsEngine ? "TLS" : "not on the readiness loop")
            : _endpoint!.HasBufferedData ? "part of the next call already read" : null;
        if (stays is not null)
            handOff.NotMoved(stays);
        else
        {
            // The readiness loop stops watching the socket before it changes hands (edge-triggered epoll would
            // otherwise keep reporting a descriptor this worker no longer serves).
            await _engine!.DisposeAsync();
            _engine = null;
            var format = _stack is null ? (_options.Protocol, _options.Transport) : (_stack.Protocol, _stack.Transport);
            stays = await handOff.OfferAsync(_socket, _connection, format.Item1, format.Item2);
            if (stays is null)
            {
                _handedOff = true;
                Log.HandedOff(_logger, _connection.Id, _connection.Peer, _connection.CallsServed);
                return "handed off to another worker";
            }
            _engine = SocketEngines.ForPlainSocket(_socket, _services.ReadinessLoop);
            _endpoint!.ReplaceEngine(_engine);
        }
        Log.StaysAfterStop(_logger, _connection.Id, _connection.Peer, stays);
        // From now on only the peer, the idle timeout or the worker's abort at graceful_timeout ends its waits.
        _staying = true;
        _waiter!.Dispose();
        _waiter = new ConnectionWaiter(_options.IdleTimeout, CancellationToken.None, _abort);
        _connection.Waiter = _waiter;
        return null;
    }

    /// <summary>Null when a call arrived, else logs why the wait ended and returns the reason the connection closes.</summary>
    private string? ReasonToClose(WaitOutcome outcome)
    {
        switch (outcome)
        {
            case WaitOutcome.PeerClosed:
                Log.PeerClosed(_logger, _connection.Id, _connection.Peer, _connection.CallsServed);
                return "peer closed";
            case WaitOutcome.IdleTimeout:
                Log.IdleTimeout(_logger, _connection.Id, _connection.Peer, _options.IdleTimeout.GetValueOrDefault().TotalSeconds);
                return "idle timeout";
            case WaitOutcome.Stopping:
                Log.ClosedForStop(_logger, _connection.Id, _connection.Peer, _connection.CallsServed);
                return "server stopping";
            case WaitOutcome.Aborted:
                Log.Aborted(_logger, _connection.Id, _connection.Peer, "between calls");
                return "aborted";
            case WaitOutcome.Evicted:
                Log.Evicted(_logger, _connection.Id, _connection.Peer, _connection.CallsServed);
                return "closed to admit a new connection (worker_connections reached)";
            default:
                return null;
        }
    }

    /// <summary>Once, at the first call: the stack in the format the options name or the first bytes show. Null when built.</summary>
    private async Task<string?> CreateStackAsync()
    {
        try
        {
            // An adopted connection's format was detected where it was accepted; only one that had sent no call yet is detected here.
            var (protocol, transport) = _adopted is { Protocol: not ThriftProtocolKind.Auto, Transport: not ThriftTransportKind.Auto } adopted
                ? (adopted.Protocol, adopted.Transport) : (_options.Protocol, _options.Transport);
            var format = await WireFormat.DetectAsync(_endpoint!, protocol, transport, _abort);
            _stack = ThriftStack.Create(_endpoint!, format, _tracker!, _messageMemory!);
        }
        catch (Exception e)
        {
            return Fail(e, call: null, "in the first bytes");
        }
        _reporter.Detected(_connection, _stack.Protocol, _stack.Transport);
        if ((_options.Protocol == ThriftProtocolKind.Auto || _options.Transport == ThriftTransportKind.Auto) && _adopted?.Protocol is null or ThriftProtocolKind.Auto)
            Log.Detected(_logger, _connection.Id, _connection.Peer, _stack.Protocol, _stack.Transport);
        return null;
    }

    /// <summary>
    /// Reads the header of the next message, checks that it is a call, picks the service's processor and lets it read
    /// the header again (<see cref="CallInputProtocol.Replay"/>) and process the call. The generated processors check
    /// neither (a reply sent to the server would be run as a call), and a multiplexed name needs a service picked first.
    /// </summary>
    private Task<bool> DispatchAsync()
    {
        ThriftStack stack = _stack!;
        ValueTask<TMessage> reading = stack.Input.ReadMessageBeginAsync(_abort);
        if (!reading.IsCompletedSuccessfully)
            return DispatchSlowAsync(reading);
        TMessage header = reading.Result;
        if (header.Type is not (TMessageType.Call or TMessageType.Oneway) || _processors!.Resolve(header.Name, out string method) is not { } found)
            return RefuseAsync(header);
        stack.Input.Replay(method.Length == header.Name.Length ? header : new TMessage(method, header.Type, header.SeqID));
        return found.ProcessAsync(stack.Input, stack.Output, _abort);
    }

    private async Task<bool> DispatchSlowAsync(ValueTask<TMessage> reading)
    {
        ThriftStack stack = _stack!;
        TMessage header = await reading;
        if (header.Type is not (TMessageType.Call or TMessageType.Oneway) || _processors!.Resolve(header.Name, out string method) is not { } found)
            return await RefuseAsync(header);
        stack.Input.Replay(method.Length == header.Name.Length ? header : new TMessage(method, header.Type, header.SeqID));
        return await found.ProcessAsync(stack.Input, stack.Output, _abort);
    }

    /// <summary>
    /// A message that is no call gets TApplicationException InvalidMessageType, as from Apache Thrift's multiplexed
    /// processor, and closes the connection: the shape of its body is unknown. A call of a service this server does
    /// not have gets UnknownMethod (unless oneway, which has no reply), like an unknown method, and the connection lives on.
    /// </summary>
    private async Task<bool> RefuseAsync(TMessage header)
    {
        ThriftStack stack = _stack!;
        if (header.Type is not (TMessageType.Call or TMessageType.Oneway))
        {
            string reason = $"message type {(int)header.Type} ({header.Type}) where a call or oneway call was expected";
            await WriteApplicationExceptionAsync(header, TApplicationException.ExceptionType.InvalidMessageType, reason);
            throw new TProtocolException(TProtocolException.INVALID_DATA, reason);
        }

        await TProtocolUtil.SkipAsync(stack.Input, TType.Struct, _abort);
        await stack.Input.ReadMessageEndAsync(_abort);
        if (header.Type == TMessageType.Oneway)
            return true;
        // The client chose the name: echo a bounded part of it (the output protocol cuts the reply's header name the
        // same way), and keep the service names to ourselves; they are in the operator's debug log.
        string service = header.Name[..header.Name.IndexOf(TMultiplexedProtocol.Separator, StringComparison.Ordinal)];
        await WriteApplicationExceptionAsync(header, TApplicationException.ExceptionType.UnknownMethod,
            $"Invalid method name: '{LogText.Printable(header.Name, LogText.MaxReplyNameLength)}': " +
            $"no service '{LogText.Printable(service, LogText.MaxReplyNameLength)}' here");
        return true;
    }

    private async Task WriteApplicationExceptionAsync(TMessage header, TApplicationException.ExceptionType type, string message)
    {
        TProtocol output = _stack!.Output;
        await output.WriteMessageBeginAsync(new TMessage(header.Name, TMessageType.Exception, header.SeqID), _abort);
        await new TApplicationException(type, message).WriteAsync(output, _abort);
        await output.WriteMessageEndAsync(_abort);
        await output.Transport.FlushAsync(_abort);
    }

    /// <summary>
    /// After the processor returned: completes and reports the call. Null when the connection waits for the next call,
    /// else the reason it closes.
    /// </summary>
    private string? FinishCall(bool keepOpen)
    {
        // The call is answered: its arguments are garbage, whether or not the client sends another call soon.
        _messageMemory!.Release();
        // Oneway calls and refused messages may end without a message end read through the stack's input.
        _endpoint!.EndMessageDeadline();
        if (_tracker!.Call is not { } call)
        {
            // The generated processor swallows an IOException before the header, answering false.
            Log.PeerGone(_logger, _connection.Id, _connection.Peer, "I/O error before the message header");
            return "transport error";
        }

        Complete(call, keepOpen ? _tracker.FinishedResult(call) : ThriftCall.ResultTransportError);
        LogApplicationException(call);
        if (keepOpen)
            return null;
        Log.PeerGone(_logger, _connection.Id, _connection.Peer, $"I/O error in call {call.Method}");
        return "transport error";
    }

    private void Complete(ThriftCall call, string result)
    {
        call.Result = result;
        call.Duration = Stopwatch.GetElapsedTime(call.StartTimestamp);
        call.Connection.CallsServed++;
        call.RequestBytes = _endpoint!.BytesConsumed - _consumedAtDispatch;
        call.ResponseBytes = _endpoint.BytesSent - _sentAtDispatch;
        _reporter.CallCompleted(call);
    }

    /// <summary>Logs and reports a failure at the level of whoever caused it; returns the reason the connection closes.</summary>
    private string Fail(Exception error, ThriftCall? call, string where)
    {
        ConnectionFault fault = ConnectionFault.Classify(error, _options.Configuration, _abort);
        if (call is not null)
            Complete(call, fault.CallResult);

        switch (fault.Kind)
        {
            case ConnectionFaultKind.PeerGone:
                Log.PeerGone(_logger, _connection.Id, _connection.Peer, $"{fault.Reason} {where}");
                return "peer gone: " + fault.Reason;
            case ConnectionFaultKind.Aborted:
                Log.Aborted(_logger, _connection.Id, _connection.Peer, where);
                return "aborted";
            case ConnectionFaultKind.TimedOut:
                Log.TimedOut(_logger, _connection.Id, _connection.Peer, where, fault.Reason);
                return "timed out: " + fault.Reason;
            case ConnectionFaultKind.BadInput:
                Log.BadInput(_logger, _connection.Id, _connection.Peer, _stack?.Protocol ?? _options.Protocol, _stack?.Transport ?? _options.Transport, fault.Reason);
                _reporter.BadInput(_connection, error);
                return "bad input: " + fault.Reason;
            case ConnectionFaultKind.LimitExceeded:
                Log.LimitExceeded(_logger, _connection.Id, _connection.Peer, fault.Reason);
                _reporter.BadInput(_connection, error);
                return "limit exceeded: " + fault.Reason;
            default:
                Log.Failed(_logger, _connection.Id, _connection.Peer, where, error);
                return $"error: {fault.Reason}";
        }
    }

    private void LogApplicationException(ThriftCall call)
    {
        switch (_tracker!.ApplicationExceptionType)
        {
            case null:
                return;
            case TApplicationException.ExceptionType.UnknownMethod:
                Log.UnknownMethod(_logger, _connection.Id, _connection.Peer, call.Method);
                if (_processors!.Names.Length > 0)
                    Log.ServicesHere(_logger, _connection.Id, _processors.Names);
                return;
            case TApplicationException.ExceptionType.InternalError:
                // The generated processor has logged the exception itself, without the method or the peer.
                Log.HandlerFailed(_logger, _connection.Id, _connection.Peer, call.Method, _processors!.Resolve(call.Method, out _)?.GetType().FullName);
                return;
            case { } type:
                Log.ApplicationException(_logger, _connection.Id, _connection.Peer, call.Method, type);
                return;
        }
    }

    /// <summary>What <see cref="OpenAsync"/> set up, in the reverse order: the socket engine lets go of the socket before it closes.</summary>
    private async ValueTask ReleaseAsync()
    {
        _messageMemory?.Dispose();
        _waiter?.Dispose();
        _endpoint?.Dispose();
        if (_engine is not null)
            await _engine.DisposeAsync();
    }

    /// <summary>Closes the socket, then reports the connection closed if it was reported opened.</summary>
    private void Close(bool opened, string reason)
    {
        if (_handedOff)
        {
            // Handed over: another process holds the socket now. The runtime leaves a socket without close-on-exec
            // untouched when it closes (no shutdown, no RST: it may be shared), so only this descriptor goes.
            try
            {
                FileDescriptors.SetCloseOnExec((int)_socket.Handle, closeOnExec: false);
            }
            catch (Exception e) when (e is InteropException or ObjectDisposedException)
            {
                // Closing it plainly is still right: the new owner holds its own reference.
            }
        }
        _socket.Dispose();
        try
        {
            if (opened)
                _reporter.Closed(_connection, reason);
        }
        catch (Exception e)
        {
            Log.ReporterFailed(_logger, _connection.Id, _connection.Peer, nameof(IConnectionReporter.Closed), e);
        }
    }
}
