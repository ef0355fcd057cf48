using System.Globalization;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;

namespace Tunicorn.Registry;

/// <summary>
/// service_register_cls = etcd: one key per endpoint, <c>PATH/HOST:PORT-PID</c>, holding the entry's JSON, attached
/// to one lease of <c>timeout</c> seconds that this master keeps alive. A kill -9 lets the lease, and so the keys,
/// expire; TERM revokes it, which deletes every key at once.
/// </summary>
/// <remarks>
/// One attempt of the <see cref="ReconnectLoop"/> owns the lease: grant, put the keys, keep alive. A failed call or a
/// broken keep-alive stream is retried with back-off on the same lease (after a short outage the lease and keys are
/// still there); a keep-alive answer with TTL 0 means the lease is gone (expired during a long outage, or a new etcd
/// without the data), so a new lease is granted and the keys are put again. PLATFORM-NOTES (etcd): dotnet-etcd's own keep-alive helper does
/// not survive a server restart, hence this loop on the raw lease stream.
/// </remarks>
internal sealed class EtcdRegistry : ReconnectingRegistry
{
    private readonly EtcdConnection _connection;
    private IReadOnlyList<KeyValuePair<string, string>> _entries = [];
    private long? _lease;
    private bool _keysPut;

    public EtcdRegistry(ServiceRegistryContext context)
        : base(context, "etcd")
    {
        _connection = new EtcdConnection(context.Options.Hosts, context.Options.Auth);
    }

    /// <summary>The keys this master announces (known once started).</summary>
    public IReadOnlyList<string> Keys => [.. _entries.Select(e => e.Key)];

    protected override string Hosts => _connection.Description;

    protected override int PrepareEntries(IReadOnlyList<ServiceEndpoint> endpoints)
    {
        string pid = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        _entries = [.. endpoints.Select(e => new KeyValuePair<string, string>(
            $"{Context.Path}/{HostPort(e)}-{pid}", Context.EntryFor(e).ToJson(Context.Options.Format)))];
        return _entries.Count;
    }

    protected override async Task<string?> RemoveEntriesAsync(CancellationToken cancellationToken)
    {
        if (_lease is not long lease)
            return null;
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
        return string.Join(", ", Keys);
    }

    protected override ValueTask DisposeConnectionAsync()
    {
        _connection.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Registers unless the keys are there, then keeps the lease alive; returns when the lease is gone.</summary>
    protected override async Task AttemptAsync(CancellationToken cancellationToken)
    {
        if (_lease is null || !_keysPut)
            await RegisterAsync(cancellationToken);
        await KeepAliveAsync(_lease!.Value, () => Loop.Connected(), cancellationToken);
        RegistryLog.RegistrationLost(Log, Backend, "the lease expired");
        _lease = null;
        _keysPut = false;
    }

    protected override ValueTask ResetAfterFailureAsync()
    {
        _connection.Fail();
        return ValueTask.CompletedTask;
    }

    protected override string Reason(Exception e) => e switch
    {
        RpcException rpc => $"{rpc.StatusCode}: {rpc.Status.Detail}",
        _ => e.Message,
    };

    private async Task RegisterAsync(CancellationToken cancellationToken)
    {
        var headers = await _connection.HeadersAsync(cancellationToken);
        if (_lease is null)
        {
            var ttl = (long)Math.Ceiling(Context.Options.Timeout.TotalSeconds);
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
        Registered(string.Join(", ", Keys));
    }

    /// <summary>Renews the lease every third of its TTL; returns when etcd answers that the lease is gone.</summary>
    private async Task KeepAliveAsync(long lease, Action renewed, CancellationToken cancellationToken)
    {
        var headers = await _connection.HeadersAsync(cancellationToken);
        var interval = TimeSpan.FromSeconds(Math.Max(0.2, Context.Options.Timeout.TotalSeconds / 3));
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
            await Task.Delay(interval, Context.TimeProvider, cancellationToken);
        }
    }

    private static string HostPort(ServiceEndpoint endpoint) =>
        endpoint.Host.Contains(':') ? $"[{endpoint.Host}]:{endpoint.Port}" : $"{endpoint.Host}:{endpoint.Port}";
}
