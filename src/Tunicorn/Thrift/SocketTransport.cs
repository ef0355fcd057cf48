using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Thrift;
using Thrift.Protocol;
using Thrift.Transport;
using Tunicorn.IO;

namespace Tunicorn.Thrift;

/// <summary>
/// The endpoint of every server connection: reads and writes the accepted socket (TCP or Unix) through its own
/// buffers, so it is also the "buffered" transport (Python's TBufferedTransport puts the same bytes on the wire),
/// counts each message's bytes against <see cref="TConfiguration.MaxMessageSize"/>, and bounds each wait by the I/O
/// timeout and the message deadline. How the bytes reach the socket is its <see cref="ISocketEngine"/>'s business.
/// </summary>
/// <remarks>
/// Why not ApacheThrift's TStreamTransport over a NetworkStream: the connection loop must wait for the first byte
/// of a call without consuming it (<see cref="WaitForDataAsync"/>; TTransport.PeekAsync hides the byte in whichever
/// layer it was called on and turns a reset into "closed"); TStreamTransport counts no message bytes, so with the
/// buffered transport MaxMessageSize bounded single strings only; and its socket errors arrive as IOException,
/// which the generated processor swallows, or, during a write, logs as a handler failure. Here every socket error
/// is a <see cref="TTransportException"/>, which the generated code rethrows untouched.
/// The transport owns neither the engine nor the socket: ThriftConnection disposes both.
/// </remarks>
internal sealed class SocketTransport : TEndpointTransport
{
    // One segment of a typical call fits; larger payloads bypass the buffers instead of growing them.
    private const int BufferSize = 8192;

    private ISocketEngine _engine;
    private readonly TimeSpan? _ioTimeout;
    private readonly CancellationToken _abort;
    private readonly byte[] _readBuffer = new byte[BufferSize];
    private readonly byte[] _writeBuffer = new byte[BufferSize];
    private int _readPosition;
    private int _readLength;
    private int _writeLength;
    private CancellationTokenSource? _ioTimeoutSource;
    // The message being read must be whole by then (Stopwatch ticks); 0 while no message is being read.
    private long _messageDeadline;
    private TimeSpan _messageTimeout;
    // The current wait is bounded by the message deadline rather than by the I/O timeout.
    private bool _waitEndsAtDeadline;
    private bool _closed;
    // When the last reply's flush began (Stopwatch ticks); 0 once taken.
    private long _replyFlushedAt;

    /// <summary>Bytes the protocols have read and the bytes sent, since the connection opened: a call's sizes are differences.</summary>
    public long BytesConsumed { get; private set; }
    public long BytesSent { get; private set; }

    /// <param name="engine">Reads and writes the connection's socket: a readiness loop, .NET's socket engine, or TLS.</param>
    /// <param name="ioTimeout">Bounds each socket read and write of a call; null for none.</param>
    /// <param name="abort">
    /// The token ThriftConnection passes to the processor, hence to every read and write of this transport. The
    /// I/O timeout source is linked to it once per connection instead of once per read.
    /// </param>
    public SocketTransport(ISocketEngine engine, TConfiguration configuration, TimeSpan? ioTimeout, CancellationToken abort)
        : base(configuration)
    {
        _engine = engine;
        _ioTimeout = ioTimeout;
        _abort = abort;
    }

    public override bool IsOpen => !_closed;

    /// <summary>
    /// The first byte of a message is here: the rest of it must arrive within <paramref name="timeout"/> (null: no
    /// limit), however it is spread over reads. Each read still has its own stall limit.
    /// </summary>
    public void StartMessageDeadline(TimeSpan? timeout)
    {
        if (timeout is not { } limit)
            return;
        _messageTimeout = limit;
        _messageDeadline = Stopwatch.GetTimestamp() + (long)(limit.TotalSeconds * Stopwatch.Frequency);
    }

    /// <summary>The message is read whole: the time its handler and the next idle wait take is not the client's sending.</summary>
    public void EndMessageDeadline() => _messageDeadline = 0;

    /// <summary>
    /// Between calls: reads and writes go through <paramref name="engine"/> from now on (a connection whose hand-off
    /// was refused is registered with the readiness loop again).
    /// </summary>
    public void ReplaceEngine(ISocketEngine engine) => _engine = engine;

    /// <summary>Bytes received and not yet read: a pipelined call may already be here.</summary>
    public bool HasBufferedData => BufferedByteCount > 0;

    public int BufferedByteCount => _readLength - _readPosition;

    public override Task OpenAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public override void Close() => _closed = true;

    /// <summary>
    /// Waits until at least one byte is buffered, without consuming it: true then, false when the peer closed
    /// its end. Cancellation throws <see cref="OperationCanceledException"/> and leaves the transport unusable.
    /// On the readiness loop the token's registration stays for the next wait: pass a token whose source is never
    /// reset (<see cref="CancellationTokenSource.TryReset"/>), only disposed.
    /// </summary>
    public ValueTask<bool> WaitForDataAsync(CancellationToken cancellationToken)
    {
        if (HasBufferedData)
            return new ValueTask<bool>(true);
        return _engine is ReadinessLoopEngine loop ? WaitOnLoopAsync(loop, cancellationToken) : WaitOnEngineAsync(cancellationToken);
    }

    // The wait between calls of almost every connection: one state machine from the readiness event to the read, where
    // the engine's ReceiveAsync would add its own.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> WaitOnLoopAsync(ReadinessLoopEngine loop, CancellationToken cancellationToken)
    {
        int received;
        while (!loop.TryReceive(_readBuffer, out received))
            await loop.ReadableBetweenCallsAsync(cancellationToken);
        _readPosition = 0;
        _readLength = received;
        return received > 0;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> WaitOnEngineAsync(CancellationToken cancellationToken)
    {
        int received;
        try
        {
            received = await _engine.ReceiveAsync(_readBuffer, cancellationToken);
        }
        catch (Exception e) when (e is SocketException or IOException)
        {
            if (cancellationToken.IsCancellationRequested)
                throw new OperationCanceledException("waiting for the next call was cancelled", e, cancellationToken);
            throw _engine.Failure(e);
        }

        _readPosition = 0;
        _readLength = received;
        return received > 0;
    }

    /// <summary>
    /// Waits until <paramref name="count"/> bytes are buffered, without consuming them, and returns the buffered bytes:
    /// fewer only when the peer closed its end first. For detecting the wire format of a connection from its first bytes.
    /// </summary>
    public async ValueTask<ReadOnlyMemory<byte>> PeekAsync(int count, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, BufferSize);
        while (_readLength - _readPosition < count)
        {
            if (_readPosition > 0)
            {
                _readBuffer.AsSpan(_readPosition, _readLength - _readPosition).CopyTo(_readBuffer);
                _readLength -= _readPosition;
                _readPosition = 0;
            }
            int received = await ReceiveAsync(_readBuffer.AsMemory(_readLength), cancellationToken);
            if (received == 0)
                break;
            _readLength += received;
        }
        return _readBuffer.AsMemory(_readPosition, _readLength - _readPosition);
    }

    /// <summary>Returns 0 only when the peer closed its end.</summary>
    public override ValueTask<int> ReadAsync(byte[] buffer, int offset, int length, CancellationToken cancellationToken)
    {
        if (length <= 0)
            return new ValueTask<int>(0);
        if (HasBufferedData)
            return new ValueTask<int>(CopyBuffered(buffer, offset, length));
        return ReceiveAndReadAsync(buffer, offset, length, cancellationToken);
    }

    // Replaces TTransport.ReadAllAsync so that a read served by the buffer completes synchronously. That one also
    // delivers a byte stashed by PeekAsync, which is never called on this transport (WaitForDataAsync replaces it).
    public override ValueTask<int> ReadAllAsync(byte[] buffer, int offset, int length, CancellationToken cancellationToken)
    {
        if (length <= 0)
            return new ValueTask<int>(0);
        if (_readLength - _readPosition >= length)
            return new ValueTask<int>(CopyBuffered(buffer, offset, length));
        return ReadAllSlowAsync(buffer, offset, length, cancellationToken);
    }

    public override void CheckReadBytesAvailable(long numBytes)
    {
        // Called by the protocols with a length read from the wire, before they allocate for it.
        if (numBytes < 0)
            throw new TProtocolException(TProtocolException.NEGATIVE_SIZE, $"negative length {numBytes} in the message");
        if (numBytes > RemainingMessageSize)
            throw MessageTooLarge(numBytes);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int length, CancellationToken cancellationToken)
    {
        if (length <= BufferSize - _writeLength)
        {
            buffer.AsSpan(offset, length).CopyTo(_writeBuffer.AsSpan(_writeLength));
            _writeLength += length;
            return Task.CompletedTask;
        }
        return WriteSlowAsync(buffer, offset, length, cancellationToken);
    }

    public override Task FlushAsync(CancellationToken cancellationToken)
    {
        // Taken before the reply's last bytes leave, so that it precedes anything its client does after reading it.
        _replyFlushedAt = Stopwatch.GetTimestamp();
        return _writeLength == 0 ? Task.CompletedTask : SendBufferedAsync(cancellationToken);
    }

    /// <summary>
    /// When the flush of the last reply began (Stopwatch ticks), then 0 until the next flush: 0 when no reply went out
    /// since the last time asked (none yet, or a oneway call).
    /// </summary>
    public long TakeReplyFlushTime()
    {
        long at = _replyFlushedAt;
        _replyFlushedAt = 0;
        return at;
    }

    protected override void Dispose(bool disposing)
    {
        _closed = true;
        if (disposing)
            _ioTimeoutSource?.Dispose();
    }

    /// <summary>
    /// Fills <paramref name="buffer"/> from the bytes already received, when that many are (true); no I/O, no wait.
    /// </summary>
    public bool TryReadBuffered(byte[] buffer)
    {
        if (BufferedByteCount < buffer.Length)
            return false;
        CopyBuffered(buffer, 0, buffer.Length);
        return true;
    }

    private int CopyBuffered(byte[] buffer, int offset, int length)
    {
        int count = Math.Min(length, _readLength - _readPosition);
        _readBuffer.AsSpan(_readPosition, count).CopyTo(buffer.AsSpan(offset));
        _readPosition += count;
        Consume(count);
        return count;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReceiveAndReadAsync(byte[] buffer, int offset, int length, CancellationToken cancellationToken)
    {
        if (length >= BufferSize)
        {
            // Large reads go straight into the caller's array: copying them through the buffer gains nothing.
            int direct = await ReceiveAsync(buffer.AsMemory(offset, length), cancellationToken);
            Consume(direct);
            return direct;
        }

        _readPosition = 0;
        _readLength = await ReceiveAsync(_readBuffer, cancellationToken);
        return _readLength == 0 ? 0 : CopyBuffered(buffer, offset, length);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReadAllSlowAsync(byte[] buffer, int offset, int length, CancellationToken cancellationToken)
    {
        int total = 0;
        while (total < length)
        {
            int read = await ReadAsync(buffer, offset + total, length - total, cancellationToken);
            if (read == 0)
                throw new TTransportException(TTransportException.ExceptionType.EndOfFile,
                    $"the peer closed the connection in the middle of a message ({total} of {length} bytes read)");
            total += read;
        }
        return total;
    }

    private void Consume(int count)
    {
        if (count > RemainingMessageSize)
            throw MessageTooLarge(count);
        CountConsumedMessageBytes(count);
        BytesConsumed += count;
    }

    private TTransportException MessageTooLarge(long more) => new(TTransportException.ExceptionType.MessageSizeLimit,
        $"message larger than the max message size of {MaxMessageSize} bytes ({KnownMessageSize - RemainingMessageSize} bytes read, {more} more announced)");

    private async Task WriteSlowAsync(byte[] buffer, int offset, int length, CancellationToken cancellationToken)
    {
        if (_writeLength > 0)
            await SendBufferedAsync(cancellationToken);
        if (length >= BufferSize)
        {
            await SendAsync(buffer.AsMemory(offset, length), cancellationToken);
            return;
        }
        buffer.AsSpan(offset, length).CopyTo(_writeBuffer);
        _writeLength = length;
    }

    /// <summary>
    /// Sends the first <paramref name="length"/> bytes of <paramref name="message"/> after whatever is buffered, without
    /// copying them into the buffer: a framed reply, which FramedTransport builds whole.
    /// </summary>
    public ValueTask SendWholeAsync(byte[] message, int length, CancellationToken cancellationToken) =>
        _writeLength == 0 ? SendAsync(message.AsMemory(0, length), cancellationToken) : SendBufferedThenAsync(message, length, cancellationToken);

    private async ValueTask SendBufferedThenAsync(byte[] message, int length, CancellationToken cancellationToken)
    {
        await SendBufferedAsync(cancellationToken);
        await SendAsync(message.AsMemory(0, length), cancellationToken);
    }

    private async Task SendBufferedAsync(CancellationToken cancellationToken)
    {
        int length = _writeLength;
        // Emptied first: after a failed send the connection is closed anyway, and nothing is sent twice.
        _writeLength = 0;
        await SendAsync(_writeBuffer.AsMemory(0, length), cancellationToken);
    }

    private ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        // Bytes already in the kernel need no timer.
        if (_engine.TryReceive(buffer.Span, out int received))
            return new ValueTask<int>(received);
        return ReceiveWaitingAsync(buffer, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReceiveWaitingAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        // Checked here, where a read would wait: a client that sends a byte at a time waits before each of them.
        if (MessageDeadlinePassed())
            throw MessageTimedOut(null);
        CancellationToken token = BeginIo(cancellationToken, _messageDeadline);
        try
        {
            int received = await _engine.ReceiveAsync(buffer, token);
            return received;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
        {
            if (token.IsCancellationRequested && !_abort.IsCancellationRequested && (_waitEndsAtDeadline || MessageDeadlinePassed()))
                throw MessageTimedOut(e);
            throw IoFailure(e, token, "no data from the peer");
        }
        finally
        {
            EndIo();
        }
    }

    private ValueTask SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        BytesSent += data.Length;
        // A reply that fits the socket's send buffer leaves in one system call, with no timer armed.
        if (_engine.TrySend(ref data))
            return ValueTask.CompletedTask;
        return SendWaitingAsync(data, cancellationToken);
    }

    private async ValueTask SendWaitingAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        CancellationToken token = BeginIo(cancellationToken);
        try
        {
            await _engine.SendAsync(data, token);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
        {
            throw IoFailure(e, token, "the peer read none of the reply");
        }
        finally
        {
            EndIo();
        }
    }

    /// <param name="deadline">A message deadline (Stopwatch ticks) that ends the wait sooner than the I/O timeout; 0 for none.</param>
    private CancellationToken BeginIo(CancellationToken cancellationToken, long deadline = 0)
    {
        TimeSpan? limit = _ioTimeout;
        _waitEndsAtDeadline = false;
        if (deadline != 0)
        {
            var remaining = TimeSpan.FromSeconds(Math.Max(0, deadline - Stopwatch.GetTimestamp()) / (double)Stopwatch.Frequency);
            if (limit is not { } io || remaining < io)
            {
                limit = remaining;
                // The timer may fire a little before the clock reaches the deadline: remember which limit it is.
                _waitEndsAtDeadline = true;
            }
        }
        if (limit is not { } timeout)
            return cancellationToken;

        // Callers pass the abort token (ThriftConnection hands it to the processor), which this source is linked to.
        Debug.Assert(!cancellationToken.CanBeCanceled || cancellationToken == _abort);
        _ioTimeoutSource ??= CancellationTokenSource.CreateLinkedTokenSource(_abort);
        _ioTimeoutSource.CancelAfter(timeout);
        return _ioTimeoutSource.Token;
    }

    private bool MessageDeadlinePassed() => _messageDeadline != 0 && Stopwatch.GetTimestamp() >= _messageDeadline;

    private TTransportException MessageTimedOut(Exception? inner) => new(TTransportException.ExceptionType.TimedOut,
        $"the call was not sent whole within {_messageTimeout.TotalSeconds:0.###}s of its first byte (thrift_message_timeout)",
        inner);

    private void EndIo()
    {
        // TryReset stops the timer; it fails only when the source fired, and then the next I/O needs a new one.
        if (_ioTimeoutSource is { } source && !source.TryReset())
        {
            source.Dispose();
            _ioTimeoutSource = null;
        }
    }

    private TTransportException IoFailure(Exception e, CancellationToken token, string timeoutWhat)
    {
        if (_abort.IsCancellationRequested || (e is OperationCanceledException && !token.IsCancellationRequested))
            return new TTransportException(TTransportException.ExceptionType.Interrupted, "the worker aborted the connection", e);
        if (token.IsCancellationRequested && _ioTimeout is { } timeout)
            return new TTransportException(TTransportException.ExceptionType.TimedOut,
                $"{timeoutWhat} for {timeout.TotalSeconds:0.###}s (thrift_client_timeout)", e);
        if (e is SocketException or IOException)
            return _engine.Failure(e);
        return SocketFailures.Closed(e);
    }
}
