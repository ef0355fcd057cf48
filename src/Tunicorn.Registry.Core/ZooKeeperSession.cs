using Microsoft.Extensions.Logging;
using Tunicorn.ZooKeeper;

namespace Tunicorn.Registry;

/// <summary>
/// One ZooKeeper session of a registry or discovery loop: the client, and <see cref="Ended"/>, which completes when
/// the session expires or is closed. An expired session is final for a client, so the loop then starts a new one.
/// </summary>
internal sealed class ZooKeeperSession : IAsyncDisposable
{
    /// <summary>Where ZooKeeper listens when no hosts are given: its own default client port on this machine.</summary>
    public const string DefaultHosts = "127.0.0.1:2181";

    private readonly TaskCompletionSource<ZooKeeperState> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <param name="connectString">"h1:2181,h2:2181[/chroot]" (<see cref="ConnectString"/> applies the default).</param>
    public ZooKeeperSession(string connectString, TimeSpan sessionTimeout, ILoggerFactory? loggerFactory, TimeProvider timeProvider)
    {
        Client = new ZooKeeperClient(new ZooKeeperClientOptions
        {
            ConnectString = connectString,
            SessionTimeout = sessionTimeout,
            LoggerFactory = loggerFactory,
            TimeProvider = timeProvider,
        });
        Client.StateChanged += (_, change) =>
        {
            if (change.State is ZooKeeperState.Expired or ZooKeeperState.Closed)
                _ended.TrySetResult(change.State);
        };
    }

    public ZooKeeperClient Client { get; }

    /// <summary>Completes with <see cref="ZooKeeperState.Expired"/> or <see cref="ZooKeeperState.Closed"/> when the session ends.</summary>
    public Task<ZooKeeperState> Ended => _ended.Task;

    /// <summary><paramref name="hosts"/>, or <see cref="DefaultHosts"/> when empty.</summary>
    public static string ConnectString(string? hosts) => string.IsNullOrEmpty(hosts) ? DefaultHosts : hosts;

    /// <summary>Adds digest authentication for <paramref name="auth"/> ("user:password", checked where it was configured); null: none.</summary>
    public async Task AuthenticateAsync(string? auth, CancellationToken cancellationToken)
    {
        if (auth is null)
            return;
        int colon = auth.IndexOf(':');
        await Client.AddDigestAuthAsync(auth[..colon], auth[(colon + 1)..], cancellationToken);
    }

    public ValueTask DisposeAsync() => Client.DisposeAsync();
}
