using System.Globalization;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Tunicorn.Registry;

/// <summary>
/// service_register_cls = etcd: one key per endpoint, <c>PATH/HOST:PORT-PID</c>, holding the entry's JSON, attached
/// to one lease of <c>timeout</c> seconds that this master keeps alive. A kill -9 lets the lease, and so the keys,
/// expire; TERM revokes it, which deletes every key at once.
/// </summary>
/// <remarks>
/// One loop owns the lease: grant, put the keys, keep alive. A failed call or a broken keep-alive stream is retried
/// with back-off on the same lease (after a short outage the lease and keys are still there); a keep-alive answer
/// with TTL 0 means the lease is gone (expired during a long outage, or a new etcd without the data), so a new
/// lease is granted and the keys are put again. PLATFORM-NOTES (etcd): dotnet-etcd's own keep-alive helper does
/// not survive a server restart, hence this loop on the raw lease stream.
/// </remarks>
internal sealed class EtcdRegistry : IServiceRegistry
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan MaxRetry = TimeSpan.FromSeconds(1);

    private readonly ServiceRegistryContext _context;
    private readonly EtcdConnection _connection;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private IReadOnlyList<KeyValuePair<string, string>> _entries = [];
    private Task? _loop;
    private long? _lease;
    private bool _keysPut;
    private bool _everRegistered;

    public EtcdRegistry(ServiceRegistryContext context)
    {
        _context = context;
        _connection = new EtcdConnection(context.Options.Hosts, context.Options.Auth);
        _log = context.LoggerFactory.CreateLogger("tunicorn.registry");
    }

    /// <summary>The keys this master announces (known once started).</summary>
    public IReadOnlyList<string> Keys => [.. _entries.Select(e => e.Key)];

    public Task StartAsync(IReadOnlyList<ServiceEndpoint> endpoints, CancellationToken cancellationToken)
    {
        if (_loop is not null)
            return Task.CompletedTask;
        string pid = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        _entries = [.. endpoints.Select(e => new KeyValuePair<string, string>(
            $"{_context.Path}/{HostPort(e)}-{pid}", _context.EntryFor(e).ToJson(_context.Options.Format)))];
        if (_entries.Count == 0)
        {
            RegistryLog.NothingToRegister(_log);
            return Task.CompletedTask;
        }
        var token = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, cancellationToken).Token;
        _loop = Task.Run(() => RunAsync(token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task DeregisterAsync(CancellationToken cancellationToken)
    {
        await StopLoopAsync();
        if (_lease is not long lease)
            return;
        _lease = null;
        try
        {
            var headers = await _connection.HeadersAsync(cancellationToken);
            await _connection.Lease.LeaseRevokeAsync(new LeaseRevokeRequest { ID = lease }, headers, EtcdConnection.Deadline, cancellationToken);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            // Already expired: the keys went with it.
        }
        RegistryLog.Deregistered(_log, "etcd", string.Join(", ", Keys));
        await RegistryDelays.AfterDeregisterAsync(_context, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await StopLoopAsync();
        _connection.Dispose();
        _stop.Dispose();
    }

    private async Task StopLoopAsync()
    {
        if (!_stop.IsCancellationRequested)
            await _stop.CancelAsync();
        if (_loop is { } loop)
        {
            try
            {
                await loop;
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var retry = FirstRetry;
        bool unavailable = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (_lease is null || !_keysPut)
                {
                    await RegisterAsync(cancellationToken);
                    retry = FirstRetry;
                    unavailable = false;
                }
                // Returns only when the lease is gone.
                await KeepAliveAsync(_lease!.Value, () => { retry = FirstRetry; unavailable = false; }, cancellationToken);
                RegistryLog.RegistrationLost(_log, "etcd", "the lease expired");
                _lease = null;
                _keysPut = false;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                _connection.Fail();
                if (!unavailable)
                    RegistryLog.RegistryUnavailable(_log, "etcd", _connection.Description, Reason(e));
                else
                    RegistryLog.RegistryStillUnavailable(_log, "etcd", Reason(e));
                unavailable = true;
                try
                {
                    await Task.Delay(retry, _context.TimeProvider, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, MaxRetry.Ticks));
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private async Task RegisterAsync(CancellationToken cancellationToken)
    {
        var headers = await _connection.HeadersAsync(cancellationToken);
        if (_lease is null)
        {
            var ttl = (long)Math.Ceiling(_context.Options.Timeout.TotalSeconds);
            var grant = await _connection.Lease.LeaseGrantAsync(new LeaseGrantRequest { TTL = ttl }, headers, EtcdConnection.Deadline, cancellationToken);
            if (!string.IsNullOrEmpty(grant.Error))
                throw new InvalidOperationException("lease grant refused: " + grant.Error);
            _lease = grant.ID;
        }
        try
        {
            var kv = _connection.Kv;
            foreach (var (key, json) in _entries)
            {
                await kv.PutAsync(new PutRequest { Key = ByteString.CopyFromUtf8(key), Value = ByteString.CopyFromUtf8(json), Lease = _lease.Value },
                    headers, EtcdConnection.Deadline, cancellationToken);
            }
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // The lease may have expired meanwhile ("requested lease not found"): start over with a new one. An
            // abandoned lease expires by itself, and the same keys put again move to the new lease.
            _lease = null;
            throw;
        }
        _keysPut = true;
        if (_everRegistered)
            RegistryLog.RegisteredAgain(_log, "etcd", _connection.Description, string.Join(", ", Keys));
        else
            RegistryLog.Registered(_log, "etcd", _connection.Description, string.Join(", ", Keys));
        _everRegistered = true;
    }

    /// <summary>Renews the lease every third of its TTL; returns when etcd answers that the lease is gone.</summary>
    private async Task KeepAliveAsync(long lease, Action renewed, CancellationToken cancellationToken)
    {
        var headers = await _connection.HeadersAsync(cancellationToken);
        var interval = TimeSpan.FromSeconds(Math.Max(0.2, _context.Options.Timeout.TotalSeconds / 3));
        using var call = _connection.Lease.LeaseKeepAlive(headers, cancellationToken: cancellationToken);
        while (true)
        {
            await call.RequestStream.WriteAsync(new LeaseKeepAliveRequest { ID = lease }, cancellationToken);
            using var answer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            answer.CancelAfter(interval);
            bool more;
            try
            {
                more = await call.ResponseStream.MoveNext(answer.Token);
            }
            catch (Exception) when (answer.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"no keep-alive answer within {interval.TotalSeconds:0.#} s");
            }
            if (!more)
                throw new IOException("etcd closed the keep-alive stream");
            if (call.ResponseStream.Current.TTL <= 0)
                return;
            renewed();
            await Task.Delay(interval, _context.TimeProvider, cancellationToken);
        }
    }

    private static string HostPort(ServiceEndpoint endpoint) =>
        endpoint.Host.Contains(':') ? $"[{endpoint.Host}]:{endpoint.Port}" : $"{endpoint.Host}:{endpoint.Port}";

    private static string Reason(Exception e) => e switch
    {
        RpcException rpc => $"{rpc.StatusCode}: {rpc.Status.Detail}",
        _ => e.Message,
    };
}
