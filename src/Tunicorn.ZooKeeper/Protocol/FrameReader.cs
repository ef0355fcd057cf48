using System.Buffers.Binary;

namespace Tunicorn.ZooKeeper.Protocol;

/// <summary>Reads length-prefixed frames (a big-endian int32 length, then that many bytes) from a stream.</summary>
internal sealed class FrameReader(Stream stream, int maxFrameLength)
{
    private readonly byte[] _lengthBuffer = new byte[4];

    /// <summary>The next frame's bytes. Throws <see cref="EndOfStreamException"/> when the server closed the connection.</summary>
    public async ValueTask<byte[]> ReadAsync(CancellationToken cancellationToken)
    {
        await stream.ReadExactlyAsync(_lengthBuffer, cancellationToken).ConfigureAwait(false);
        int length = BinaryPrimitives.ReadInt32BigEndian(_lengthBuffer);
        // Checked before allocating: a corrupt or hostile length must not make the client allocate gigabytes.
        if (length < 0 || length > maxFrameLength)
            throw new ZooKeeperProtocolException($"frame length {length} is outside 0..{maxFrameLength}");
        byte[] frame = new byte[length];
        await stream.ReadExactlyAsync(frame, cancellationToken).ConfigureAwait(false);
        return frame;
    }
}
