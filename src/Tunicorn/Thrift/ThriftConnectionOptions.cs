using Thrift;
using Tunicorn.Config;

namespace Tunicorn.Thrift;

/// <summary>How every connection of a worker speaks Thrift; built once per worker from <see cref="Settings"/>.</summary>
public sealed class ThriftConnectionOptions
{
    public required ThriftProtocolKind Protocol { get; init; }
    public required ThriftTransportKind Transport { get; init; }
    public required TConfiguration Configuration { get; init; }
    /// <summary>Close a connection idle this long between calls; null waits forever.</summary>
    public TimeSpan? IdleTimeout { get; init; }
    public bool ProcessorPerConnection { get; init; }

    public static ThriftConnectionOptions FromSettings(Settings settings) => new()
    {
        Protocol = settings.ThriftProtocol,
        Transport = settings.ThriftTransport,
        Configuration = new TConfiguration(),
        IdleTimeout = settings.ThriftClientTimeout is double s && s > 0 ? TimeSpan.FromSeconds(s) : null,
        ProcessorPerConnection = settings.ThriftProcessorAsFactory,
    };
}
