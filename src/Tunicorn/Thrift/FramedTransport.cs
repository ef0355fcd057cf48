using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Thrift.Protocol;
using Thrift.Transport;

namespace Tunicorn.Thrift;

/// <summary>
/// The framed transport, server side: each message is preceded by its length as a 4-byte big-endian integer
/// (the wire format of every Thrift library's TFramedTransport).
/// </summary>
/// <remarks>
/// Why not ApacheThrift's TFramedTransport: it allocates a buffer of the announced frame size before the bytes
/// arrive (a hostile header claiming 16 MB costs 16 MB per connection), reports an oversized frame as
/// ExceptionType.Unknown, and keeps the frame in a buffer the connection loop cannot see. Here the input frame
/// streams through the endpoint's buffer (nothing is allocated for it), and the frame limit is a
/// MessageSizeLimit error that names the limit and the value.
/// </remarks>
internal sealed class FramedTransport : TLayeredTransport
{
    private const int HeaderSize = 4;
    private const int OwnWriteCapacity = 4096;

    private readonly byte[] _header = new byte[HeaderSize];
    private readonly byte[] _ownWriteBuffer = new byte[OwnWriteCapacity];
    // The connection's own small buffer, or while a large reply is being written, one rented from the shared pool:
    // growing a buffer of its own for every large reply (and dropping it after) costs a copy per doubling and, past
    // 85 KB, a large-object allocation per call.
    private byte[] _writeBuffer;
    private int _writeLength = HeaderSize;
    // Bytes of the current input frame not read yet.
    private int _frameRemaining;

    private readonly SocketTransport _endpoint;

    public FramedTransport(SocketTransport endpoint) : base(endpoint)
    {
        _endpoint = endpoint;
        _writeBuffer = _ownWriteBuffer;
    }

    public override bool IsOpen => InnerTransport.IsOpen;

    public override Task OpenAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public override void Close() => InnerTransport.Close();

    public override ValueTask<int> ReadAsync(byte[] buffer, int offset, int length, CancellationToken cancellationToken)
    {
        if (length <= 0)
            return new ValueTask<int>(0);
        if (_frameRemaining == 0)
            return ReadFrameThenAsync(buffer, offset, length, cancellationToken);

        ValueTask<int> read = InnerTransport.ReadAsync(buffer, offset, Math.Min(length, _frameRemaining), cancellationToken);
        if (read.IsCompletedSuccessfully)
        {
            // Result may be read once only (the ValueTask can be backed by a pooled source): return a copy.
            int count = read.Result;
            _frameRemaining -= count;
            return new ValueTask<int>(count);
        }
        return CountAsync(read);
    }

    // The protocols read every field through ReadAllAsync; TTransport's is an async loop over ReadAsync. Inside a
    // frame the endpoint's own ReadAllAsync serves it, synchronously when the bytes are buffered, as unframed.
    public override ValueTask<int> ReadAllAsync(byte[] buffer, int offset, int length, CancellationToken cancellationToken)
    {
        // The first read of a message starts a frame: its header is usually buffered with it, and is read inline then.
        if (_frameRemaining == 0 && length > 0 && _endpoint.TryReadBuffered(_header))
            _frameRemaining = CheckedFrameSize();
        if (length <= 0 || length > _frameRemaining)
            return base.ReadAllAsync(buffer, offset, length, cancellationToken);

        ValueTask<int> read = InnerTransport.ReadAllAsync(buffer, offset, length, cancellationToken);
        if (read.IsCompletedSuccessfully)
        {
            int count = read.Result;
            _frameRemaining -= count;
            return new ValueTask<int>(count);
        }
        return CountAsync(read);
    }

    public override void CheckReadBytesAvailable(long numBytes)
    {
        // A frame holds one whole message in every Thrift implementation, so a length that points past the frame
        // is a lie; rejecting it bounds what the protocol allocates by the frame, not by the max message size.
        // Between frames (TJSONProtocol checks before reading each byte, the first of a frame too) the next
        // frame can hold at most the max frame size.
        if (_frameRemaining > 0 ? numBytes > _frameRemaining : numBytes > Configuration.MaxFrameSize)
        {
            throw new TProtocolException(TProtocolException.INVALID_DATA,
                $"a length of {numBytes} bytes exceeds the {(_frameRemaining > 0 ? _frameRemaining : Configuration.MaxFrameSize)} bytes left in its frame");
        }
        InnerTransport.CheckReadBytesAvailable(numBytes);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int length, CancellationToken cancellationToken)
    {
        int needed = _writeLength + length;
        if (needed > _writeBuffer.Length)
            Grow(needed);
        buffer.AsSpan(offset, length).CopyTo(_writeBuffer.AsSpan(_writeLength));
        _writeLength = needed;
        return Task.CompletedTask;
    }

    public override Task FlushAsync(CancellationToken cancellationToken)
    {
        BinaryPrimitives.WriteInt32BigEndian(_writeBuffer, _writeLength - HeaderSize);
        int length = _writeLength;
        _writeLength = HeaderSize;
        ValueTask sending;
        try
        {
            // Straight from this buffer to the socket: one copy fewer than writing it through the endpoint's buffer.
            sending = _endpoint.SendWholeAsync(_writeBuffer, length, cancellationToken);
        }
        catch
        {
            ReturnRented();
            throw;
        }
        if (!sending.IsCompletedSuccessfully)
            return FinishSendingAsync(sending);
        ReturnRented();
        return Task.CompletedTask;
    }

    private async Task FinishSendingAsync(ValueTask sending)
    {
        try
        {
            await sending;
        }
        finally
        {
            ReturnRented();
        }
    }

    private void Grow(int needed)
    {
        byte[] grown = ArrayPool<byte>.Shared.Rent(Math.Max(needed, (int)Math.Min(Array.MaxLength, 2L * _writeBuffer.Length)));
        _writeBuffer.AsSpan(0, _writeLength).CopyTo(grown);
        ReturnRented();
        _writeBuffer = grown;
    }

    private void ReturnRented()
    {
        if (ReferenceEquals(_writeBuffer, _ownWriteBuffer))
            return;
        ArrayPool<byte>.Shared.Return(_writeBuffer);
        _writeBuffer = _ownWriteBuffer;
    }

    protected override void Dispose(bool disposing)
    {
        // The endpoint belongs to ThriftConnection, which disposes it. A reply abandoned mid-write gives its buffer back.
        if (disposing)
            ReturnRented();
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> CountAsync(ValueTask<int> read)
    {
        int count = await read;
        _frameRemaining -= count;
        return count;
    }

    private int CheckedFrameSize()
    {
        int size = BinaryPrimitives.ReadInt32BigEndian(_header);
        if (size < 0)
        {
            // Unframed binary and compact messages start with a byte >= 0x80: a common client misconfiguration.
            throw new TProtocolException(TProtocolException.NEGATIVE_SIZE,
                $"frame size {size} is negative: is the client using the framed transport?");
        }
        if (size > Configuration.MaxFrameSize)
        {
            throw new TTransportException(TTransportException.ExceptionType.MessageSizeLimit,
                $"frame of {size} bytes exceeds the max frame size of {Configuration.MaxFrameSize} bytes (is the client using the framed transport?)");
        }
        return size;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReadFrameThenAsync(byte[] buffer, int offset, int length, CancellationToken cancellationToken)
    {
        // Empty frames carry nothing; each still costs its header against the max message size, so they end.
        while (_frameRemaining == 0)
        {
            await InnerTransport.ReadAllAsync(_header, 0, HeaderSize, cancellationToken);
            _frameRemaining = CheckedFrameSize();
        }

        int count = await InnerTransport.ReadAsync(buffer, offset, Math.Min(length, _frameRemaining), cancellationToken);
        _frameRemaining -= count;
        return count;
    }
}
