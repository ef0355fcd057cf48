using Thrift;
using Tunicorn.Config;

namespace Tunicorn.Thrift;

/// <summary>How every connection of a worker speaks Thrift; built once per worker from <see cref="Settings"/>.</summary>
public sealed class ThriftConnectionOptions
{
    /// <summary>Largest message (all frames of it) a client may send. Apache Thrift's default, the same in every language.</summary>
    public const int DefaultMaxMessageSize = TConfiguration.DEFAULT_MAX_MESSAGE_SIZE;

    /// <summary>Largest frame of the framed transport. Apache Thrift's default (16384000), the same in every language.</summary>
    public const int DefaultMaxFrameSize = TConfiguration.DEFAULT_MAX_FRAME_SIZE;

    /// <summary>Deepest nesting of structs, lists, sets and maps. Apache Thrift's default.</summary>
    public const int DefaultRecursionLimit = TConfiguration.DEFAULT_RECURSION_DEPTH;

    public required ThriftProtocolKind Protocol { get; init; }
    public required ThriftTransportKind Transport { get; init; }

    /// <summary>
    /// Limits on what a client may send: <see cref="TConfiguration.MaxMessageSize"/> (counted over the whole
    /// message, for both transports), <see cref="TConfiguration.MaxFrameSize"/> and <see cref="TConfiguration.RecursionLimit"/>.
    /// Shared by all connections and read only; do not change it while connections are served.
    /// </summary>
    public required TConfiguration Configuration { get; init; }

    /// <summary>
    /// Close a connection idle this long between calls; null waits forever. Also bounds each socket read and
    /// write inside a call, like gunicorn_thrift's socket timeout, so a client that stalls mid-message cannot
    /// hold a connection slot forever.
    /// </summary>
    public TimeSpan? IdleTimeout { get; init; }

    public bool ProcessorPerConnection { get; init; }

    public static ThriftConnectionOptions FromSettings(Settings settings) => new()
    {
        Protocol = settings.ThriftProtocol,
        Transport = settings.ThriftTransport,
        Configuration = CreateConfiguration(),
        IdleTimeout = settings.ThriftClientTimeout is double s && s > 0 ? TimeSpan.FromSeconds(s) : null,
        ProcessorPerConnection = settings.ThriftProcessorAsFactory,
    };

    /// <summary>The limits, set explicitly so that a reader sees them here rather than inside ApacheThrift.</summary>
    public static TConfiguration CreateConfiguration(
        int maxMessageSize = DefaultMaxMessageSize,
        int maxFrameSize = DefaultMaxFrameSize,
        int recursionLimit = DefaultRecursionLimit)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxMessageSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxFrameSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(recursionLimit);
        return new TConfiguration
        {
            MaxMessageSize = maxMessageSize,
            MaxFrameSize = maxFrameSize,
            RecursionLimit = recursionLimit,
        };
    }
}
