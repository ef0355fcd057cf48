using Microsoft.Extensions.Logging;
using Tunicorn.IO;

namespace Tunicorn.Thrift;

/// <summary>
/// What every <see cref="ThriftConnection"/> of a worker shares: the app, the options, where calls are reported,
/// the two stop tokens and the worker's socket engine. Built once per worker, so that a connection is created from
/// its socket and this.
/// </summary>
internal sealed class ConnectionServices
{
    public required ThriftApplication App { get; init; }
    public required ThriftConnectionOptions Options { get; init; }
    public required IConnectionReporter Reporter { get; init; }

    /// <summary>For the processors, which log handler exceptions under their own category.</summary>
    public required ILoggerFactory LoggerFactory { get; init; }

    /// <summary>The connections' own log lines.</summary>
    public ILogger Logger => _logger ??= LoggerFactory.CreateLogger(ThriftConnection.LogCategory);

    private ILogger? _logger;

    /// <summary>Closes each connection at its next wait between calls (graceful stop, max_requests).</summary>
    public CancellationToken StopBetweenCalls { get; init; }

    /// <summary>Ends every connection at once, even in a call (quick stop, graceful_timeout expired).</summary>
    public CancellationToken Abort { get; init; }

    /// <summary>The worker's own socket engine for plain connections; null for .NET's.</summary>
    public ReadinessLoop? ReadinessLoop { get; init; }

    /// <summary>
    /// Where a plain connection goes at a call boundary once <see cref="StopBetweenCalls"/> fired (handoff = true); null:
    /// it closes there, as without hand-off.
    /// </summary>
    public IConnectionHandOff? HandOff { get; init; }

    /// <summary>Bounds the calls run at once and runs them where handlers may block (sync, threaded); null for async.</summary>
    public CallGate? CallGate { get; init; }
}
