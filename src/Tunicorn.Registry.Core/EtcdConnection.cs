using Etcdserverpb;
using Grpc.Core;
using Grpc.Net.Client;

namespace Tunicorn.Registry;

/// <summary>
/// A gRPC channel to one of several etcd endpoints, with the token of an authenticated user when auth is set. After
/// a failure the caller calls <see cref="Fail"/>: the next call goes to the next endpoint and authenticates again.
/// </summary>
/// <remarks>
/// PLATFORM-NOTES (etcd): with gRPC's default back-off a channel needed ~5 s to reconnect after a 10 s outage,
/// longer than a short lease; 200 ms / 500 ms brought it to ~1 s. The raw etcdserverpb clients are used instead of
/// EtcdClient's keep-alive and watch helpers, which hide reconnects and print to stderr (the server's log).
/// The server's registry and Tunicorn.Client's discovery both talk to etcd through this one class.
/// </remarks>
internal sealed class EtcdConnection : IDisposable
{
    /// <summary>Where etcd listens when no hosts are given: etcd's own default client URL.</summary>
    public const string DefaultEndpoint = "http://127.0.0.1:2379";

    /// <summary>The deadline of one unary call: a hung server must not hold the registry loop.</summary>
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(5);

    private readonly IReadOnlyList<Uri> _endpoints;
    private readonly string? _user;
    private readonly string? _password;
    private readonly Lock _gate = new();
    private int _index;
    private GrpcChannel? _channel;
    private Metadata? _headers;

    public EtcdConnection(IReadOnlyList<string> hosts, string? auth)
    {
        _endpoints = [.. (hosts.Count == 0 ? [DefaultEndpoint] : hosts).Select(ToUri)];
        if (auth is not null)
        {
            int colon = auth.IndexOf(':');
            if (colon <= 0)
                throw new FormatException("etcd auth is not user:password");
            _user = auth[..colon];
            _password = auth[(colon + 1)..];
        }
    }

    /// <summary>The endpoints, as given, for log lines.</summary>
    public string Description => string.Join(",", _endpoints.Select(e => e.GetLeftPart(UriPartial.Authority)));

    public static DateTime Deadline => DateTime.UtcNow + CallTimeout;

    public KV.KVClient Kv => new(Channel);

    public Lease.LeaseClient Lease => new(Channel);

    public Watch.WatchClient Watch => new(Channel);

    private GrpcChannel Channel
    {
        get
        {
            lock (_gate)
            {
                return _channel ??= GrpcChannel.ForAddress(_endpoints[_index % _endpoints.Count], new GrpcChannelOptions
                {
                    InitialReconnectBackoff = TimeSpan.FromMilliseconds(200),
                    MaxReconnectBackoff = TimeSpan.FromMilliseconds(500),
                    HttpHandler = new SocketsHttpHandler
                    {
                        // A watch waits for events indefinitely: HTTP/2 pings find a dead etcd that closed nothing.
                        // etcd refuses pings more often than every 5 s (--grpc-keepalive-min-time).
                        KeepAlivePingDelay = TimeSpan.FromSeconds(10),
                        KeepAlivePingTimeout = TimeSpan.FromSeconds(5),
                        KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
                        EnableMultipleHttp2Connections = true,
                        ConnectTimeout = TimeSpan.FromSeconds(3),
                    },
                });
            }
        }
    }

    /// <summary>The headers every call carries: the auth token when auth is set (fetched on first use).</summary>
    public async Task<Metadata?> HeadersAsync(CancellationToken cancellationToken)
    {
        if (_user is null)
            return null;
        if (_headers is { } cached)
            return cached;
        var auth = new Auth.AuthClient(Channel);
        var response = await auth.AuthenticateAsync(new AuthenticateRequest { Name = _user, Password = _password ?? "" },
            deadline: Deadline, cancellationToken: cancellationToken);
        var headers = new Metadata { { "token", response.Token } };
        _headers = headers;
        return headers;
    }

    /// <summary>After a failed call: use the next endpoint (if there are several) and authenticate again.</summary>
    public void Fail()
    {
        lock (_gate)
        {
            _headers = null;
            if (_endpoints.Count > 1)
            {
                _channel?.Dispose();
                _channel = null;
                _index++;
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _channel?.Dispose();
            _channel = null;
        }
    }

    private static Uri ToUri(string host)
    {
        var text = host.Contains("://", StringComparison.Ordinal) ? host : "http://" + host;
        return Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new FormatException($"'{host}' is not an etcd endpoint (http://HOST:PORT or HOST:PORT)");
    }
}
