using Microsoft.Extensions.Logging;

namespace Tunicorn.ZooKeeper;

/// <summary>Settings of a <see cref="ZooKeeperClient"/>.</summary>
public sealed class ZooKeeperClientOptions
{
    /// <summary>Same default as ZooKeeper's Java client (ZKClientConfig: 4 MB), well above the server's 1 MB node limit so that long child lists fit.</summary>
    public const int DefaultMaxFrameLength = 4 * 1024 * 1024;

    /// <summary>
    /// <c>host:port[,host:port…][/chroot]</c>, e.g. <c>127.0.0.1:2181,127.0.0.1:2182/app</c>. The port defaults to
    /// 2181; IPv6 addresses go in brackets. With a chroot every path is relative to it (the chroot node must exist).
    /// </summary>
    public required string ConnectString { get; init; }

    /// <summary>
    /// The session timeout asked for; the server grants one between 2 and 20 ticks (its tickTime) unless configured
    /// otherwise, see <see cref="ZooKeeperClient.SessionTimeout"/>. Ten seconds is a common choice for services.
    /// </summary>
    public TimeSpan SessionTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Resume this session instead of starting one (with <see cref="SessionPassword"/>), e.g. from a process that
    /// hands its session over. 0 (the default) starts a new session.
    /// </summary>
    public long SessionId { get; init; }

    /// <summary>The password of <see cref="SessionId"/>, as <see cref="ZooKeeperClient.SessionPassword"/> gave it.</summary>
    public ReadOnlyMemory<byte> SessionPassword { get; init; }

    /// <summary>Frames longer than this from the server are refused (and the connection dropped) before anything is allocated for them.</summary>
    public int MaxFrameLength { get; init; } = DefaultMaxFrameLength;

    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>The clock for timeouts and pings; tests may pass their own.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Shuffles the server list once (so that clients spread over the ensemble); tests may pass a seeded one.</summary>
    public Random? Random { get; init; }
}
