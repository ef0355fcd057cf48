using Etcdserverpb;
using Grpc.Core;
using Grpc.Net.Client;

namespace Tunicorn.Client.Discovery;

/// <summary>
/// A gRPC channel to one of several etcd endpoints (the next one after each failure), with an auth token when a user
/// is configured. PLATFORM-NOTES (etcd): short reconnect back-off, so a restarted etcd is seen again within ~1 s;
/// the raw etcdserverpb clients, because EtcdClient's watch reconnects silently and prints to stderr.
/// </summary>
internal sealed class EtcdChannel : IDisposable
{
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(5);

    private readonly IReadOnlyList<Uri> _endpoints;
    private readonly string? _user;
    private readonly string? _password;
    private readonly Lock _gate = new();
    private int _index;
    private GrpcChannel? _channel;
    private Metadata? _headers;

    public EtcdChannel(IReadOnlyList<string> hosts, string? auth)
    {
        _endpoints = [.. (hosts.Count == 0 ? ["http://127.0.0.1:2379"] : hosts).Select(ToUri)];
        if (auth is not null)
        {
            int colon = auth.IndexOf(':');
            if (colon <= 0)
                throw new FormatException("etcd auth is not user:password");
            _user = auth[..colon];
            _password = auth[(colon + 1)..];
        }
    }

    public string Description => string.Join(",", _endpoints.Select(e => e.GetLeftPart(UriPartial.Authority)));

    public static DateTime Deadline => DateTime.UtcNow + CallTimeout;

    public KV.KVClient Kv => new(Channel);

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

    public async Task<Metadata?> HeadersAsync(CancellationToken cancellationToken)
    {
        if (_user is null)
            return null;
        if (_headers is { } cached)
            return cached;
        var response = await new Auth.AuthClient(Channel).AuthenticateAsync(
            new AuthenticateRequest { Name = _user, Password = _password ?? "" }, deadline: Deadline, cancellationToken: cancellationToken);
        return _headers = new Metadata { { "token", response.Token } };
    }

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
