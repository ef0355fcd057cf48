using Microsoft.Extensions.Logging;
using Thrift;
using Tunicorn.Config;
using Tunicorn.Thrift.ProxyProtocol;
using Tunicorn.Tls;

namespace Tunicorn.Thrift;

/// <summary>How every connection of a worker speaks Thrift; built once per worker from <see cref="Settings"/>.</summary>
internal sealed class ThriftConnectionOptions
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

    /// <summary>
    /// A client that stops in the middle of a message, or stops reading a reply, is closed after this long even when
    /// idle connections may wait forever: pooled clients keep idle connections open for long, but no client pauses
    /// inside a message. Same default as gunicorn's worker timeout.
    /// </summary>
    public static readonly TimeSpan DefaultStallTimeout = TimeSpan.FromSeconds(30);

    /// <summary>How long one socket read or write inside a call may wait: the idle timeout, else <see cref="DefaultStallTimeout"/>.</summary>
    public TimeSpan StallTimeout => IdleTimeout ?? DefaultStallTimeout;

    /// <summary>The most elements one list, set or map of a message may have (thrift_max_collection_size).</summary>
    public int MaxCollectionSize { get; init; } = DefaultMaxCollectionSize;

    /// <summary>Default of thrift_max_collection_size; the setting says why.</summary>
    public const int DefaultMaxCollectionSize = 1_000_000;

    /// <summary>
    /// The worker's budget for the memory its calls' messages hold (thrift_message_memory_budget), shared by all its
    /// connections; null charges nothing (and gives nothing back).
    /// </summary>
    public MessageMemoryBudget? MessageMemory { get; init; }

    /// <summary>
    /// How long a client may take to send one whole call, from its first byte to its end; null for no limit. Unlike
    /// <see cref="StallTimeout"/>, which bounds each read, this bounds the sum of them: a client that sends a byte
    /// every few seconds (slowloris) is closed here.
    /// </summary>
    public TimeSpan? MessageTimeout { get; init; } = DefaultMessageTimeout;

    /// <summary>Default of <see cref="MessageTimeout"/>: the stall limit, as no honest client pauses inside a message.</summary>
    public static readonly TimeSpan DefaultMessageTimeout = DefaultStallTimeout;

    public bool ProcessorPerConnection { get; init; }

    /// <summary>TLS on every connection, or null for plain connections.</summary>
    public ServerTls? Tls { get; init; }

    /// <summary>
    /// proxy_protocol: the peers whose connections start with a PROXY header (proxy_allow_ips); null when it is off.
    /// </summary>
    public ProxyAllowList? ProxyProtocol { get; init; }

    /// <summary>
    /// How long a client may take to send its PROXY header: the idle timeout, else <see cref="ServerTls.DefaultHandshakeTimeout"/>
    /// (the same as <see cref="ServerTls.HandshakeTimeout"/>, which bounds the TLS handshake).
    /// </summary>
    public TimeSpan HandshakeTimeout => IdleTimeout ?? ServerTls.DefaultHandshakeTimeout;

    /// <exception cref="ArgumentException">The TLS settings name files that cannot be used; the message names the setting.</exception>
    /// <param name="loggerFactory">Where the worker's message memory budget reports its compactions; none when null.</param>
    public static ThriftConnectionOptions FromSettings(Settings settings, ILoggerFactory? loggerFactory = null) => new()
    {
        Protocol = settings.ThriftProtocol,
        Transport = settings.ThriftTransport,
        Configuration = CreateConfiguration(settings.ThriftMaxMessageSize, settings.ThriftMaxFrameSize, settings.ThriftRecursionLimit),
        IdleTimeout = settings.ThriftClientTimeout is double s && s > 0 ? TimeSpan.FromSeconds(s) : null,
        MessageTimeout = settings.ThriftMessageTimeout > 0 ? TimeSpan.FromSeconds(settings.ThriftMessageTimeout) : null,
        ProcessorPerConnection = settings.ThriftProcessorAsFactory,
        MaxCollectionSize = settings.ThriftMaxCollectionSize,
        MessageMemory = new MessageMemoryBudget(settings.ThriftMessageMemoryBudget,
            loggerFactory?.CreateLogger("Tunicorn.Thrift.MessageMemoryBudget")),
        Tls = ServerTls.FromSettings(settings),
        ProxyProtocol = settings.ProxyProtocol ? new ProxyAllowList(settings.ProxyAllowIps) : null,
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
