using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tunicorn.Registry;

namespace Tunicorn.Client.Discovery;

/// <summary>
/// The servers registered under an etcd prefix: one range read, then a watch from the next revision, so every put
/// and delete arrives within milliseconds. When the watch breaks (etcd restarted, compacted, unreachable) the
/// prefix is read again and watched anew; meanwhile the last view stays, since its servers most likely still serve.
/// </summary>
public sealed class EtcdDiscovery : IServiceDiscovery
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan MaxRetry = TimeSpan.FromSeconds(1);

    private readonly EtcdDiscoveryOptions _options;
    private readonly EtcdConnection _channel;
    private readonly string _prefix;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<string, ServiceInstance> _servers = new(StringComparer.Ordinal);
    private readonly HashSet<string> _invalid = new(StringComparer.Ordinal);
    private Action<IReadOnlyList<ServiceInstance>>? _onChange;
    private Task? _loop;
    private int _disposed;

    public EtcdDiscovery(EtcdDiscoveryOptions options)
    {
        _options = options;
        _prefix = options.ResolvePath() + "/";
        _channel = new EtcdConnection(options.Hosts, options.Auth);
        _log = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger("tunicorn.client");
    }

    public string Description => $"etcd {_channel.Description} {_prefix}";

    public Task StartAsync(Action<IReadOnlyList<ServiceInstance>> onChange, CancellationToken cancellationToken)
    {
        if (_loop is not null)
            throw new InvalidOperationException("already started");
        _onChange = onChange;
        var token = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, cancellationToken).Token;
        _loop = Task.Run(() => RunAsync(token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        // Idempotent: a client that shares this discovery may dispose it, and its creator too.
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
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
        _channel.Dispose();
        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var retry = FirstRetry;
        bool unavailable = false;
        var rangeEnd = RangeEnd(_prefix);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var headers = await _channel.HeadersAsync(cancellationToken);
                var range = await _channel.Kv.RangeAsync(new RangeRequest { Key = ByteString.CopyFromUtf8(_prefix), RangeEnd = rangeEnd },
                    headers, EtcdConnection.Deadline, cancellationToken);
                _servers.Clear();
                foreach (var kv in range.Kvs)
                    Apply(kv.Key.ToStringUtf8(), kv.Value.Span);
                Publish();
                if (unavailable)
                    ClientLog.DiscoveryRecovered(_log, Description, _servers.Count);
                unavailable = false;
                retry = FirstRetry;

                using var watch = _channel.Watch.Watch(headers, cancellationToken: cancellationToken);
                await watch.RequestStream.WriteAsync(new WatchRequest
                {
                    CreateRequest = new WatchCreateRequest { Key = ByteString.CopyFromUtf8(_prefix), RangeEnd = rangeEnd, StartRevision = range.Header.Revision + 1 },
                }, cancellationToken);
                while (await watch.ResponseStream.MoveNext(cancellationToken))
                {
                    var response = watch.ResponseStream.Current;
                    if (response.Canceled || response.CompactRevision > 0)
                        break; // read the prefix again
                    bool changed = false;
                    foreach (var change in response.Events)
                    {
                        string key = change.Kv.Key.ToStringUtf8();
                        if (change.Type == Mvccpb.Event.Types.EventType.Delete)
                        {
                            changed |= _servers.Remove(key);
                            _invalid.Remove(key);
                        }
                        else
                        {
                            changed |= Apply(key, change.Kv.Value.Span);
                        }
                    }
                    if (changed)
                        Publish();
                }
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                _channel.Fail();
                if (!unavailable)
                    ClientLog.DiscoveryUnavailable(_log, Description, e is RpcException rpc ? $"{rpc.StatusCode}: {rpc.Status.Detail}" : e.Message, _servers.Count);
                unavailable = true;
                try
                {
                    await Task.Delay(retry, _options.TimeProvider, cancellationToken);
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

    /// <summary>Adds or replaces the entry at <paramref name="key"/>; an unreadable entry is logged once and left out.</summary>
    private bool Apply(string key, ReadOnlySpan<byte> value)
    {
        var instance = ServiceEntryReader.TryRead(key, value, out string? reason);
        if (instance is null)
        {
            if (_invalid.Add(key))
                ClientLog.InvalidEntry(_log, key, reason ?? "unreadable");
            return _servers.Remove(key);
        }
        _invalid.Remove(key);
        if (_servers.TryGetValue(key, out var known) && known.Equals(instance))
            return false;
        _servers[key] = instance;
        return true;
    }

    private void Publish() => _onChange?.Invoke([.. _servers.Values.OrderBy(s => s.Id, StringComparer.Ordinal)]);

    /// <summary>etcd's range end for "every key with this prefix": the prefix with its last byte incremented.</summary>
    private static ByteString RangeEnd(string prefix)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(prefix);
        for (int i = bytes.Length - 1; i >= 0; i--)
        {
            if (bytes[i] < 0xFF)
            {
                bytes[i]++;
                return ByteString.CopyFrom(bytes, 0, i + 1);
            }
        }
        return ByteString.CopyFrom(0);
    }
}
