using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tunicorn.Registry;

namespace Tunicorn.Client.Discovery;

/// <summary>
/// What every watching discovery shares: the <see cref="ReconnectLoop"/> that runs its attempts (read and watch
/// until the watch or session breaks), the client's callback that receives the servers, and the log lines of an
/// outage and of the recovery from it. The last view stays during an outage: its servers most likely still serve.
/// </summary>
internal sealed class DiscoveryLoop : IAsyncDisposable
{
    private readonly string _source;
    private readonly Func<int> _serverCount;
    private readonly Action? _failed;
    private readonly ReconnectLoop _loop;
    private Action<IReadOnlyList<ServiceInstance>>? _onChange;

    /// <param name="source">The discovery's description, for log lines.</param>
    /// <param name="attempt">One attempt: read the servers (then call <see cref="Connected"/>) and watch them.</param>
    /// <param name="serverCount">How many servers the last view holds, for log lines.</param>
    /// <param name="failed">What to reset after a failed attempt, e.g. move to the next endpoint.</param>
    public DiscoveryLoop(string source, ILoggerFactory? loggerFactory, TimeProvider timeProvider,
        Func<CancellationToken, Task> attempt, Func<int> serverCount, Action? failed = null)
    {
        _source = source;
        _serverCount = serverCount;
        _failed = failed;
        Log = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("tunicorn.client");
        _loop = new ReconnectLoop(attempt, FailedAsync, timeProvider);
    }

    public ILogger Log { get; }

    /// <summary>Starts the attempts; <paramref name="onChange"/> receives every view published from now on.</summary>
    public Task StartAsync(Action<IReadOnlyList<ServiceInstance>> onChange, CancellationToken cancellationToken)
    {
        if (_loop.IsStarted)
            throw new InvalidOperationException("already started");
        _onChange = onChange;
        _loop.Start(cancellationToken);
        return Task.CompletedTask;
    }

    /// <summary>Hands the whole set of servers to the client.</summary>
    public void Publish(IReadOnlyList<ServiceInstance> servers) => _onChange?.Invoke(servers);

    /// <summary>The servers were read: ends an outage, if there was one.</summary>
    public void Connected()
    {
        if (_loop.Connected())
            ClientLog.DiscoveryRecovered(Log, _source, _serverCount());
    }

    public ValueTask DisposeAsync() => _loop.DisposeAsync();

    private ValueTask FailedAsync(Exception e, bool firstFailure)
    {
        _failed?.Invoke();
        if (firstFailure)
            ClientLog.DiscoveryUnavailable(Log, _source, e is RpcException rpc ? $"{rpc.StatusCode}: {rpc.Status.Detail}" : e.Message, _serverCount());
        return ValueTask.CompletedTask;
    }
}
