using Etcdserverpb;
using Google.Protobuf;
using Tunicorn.Registry;

namespace Tunicorn.Client.Discovery;

/// <summary>
/// The servers registered under an etcd prefix: one range read, then a watch from the next revision, so every put
/// and delete arrives within milliseconds. When the watch breaks (etcd restarted, compacted, unreachable) the
/// prefix is read again and watched anew; meanwhile the last view stays, since its servers most likely still serve.
/// </summary>
public sealed class EtcdDiscovery : IServiceDiscovery
{
    private readonly EtcdConnection _channel;
    private readonly string _prefix;
    private readonly ByteString _rangeEnd;
    private readonly DiscoveryLoop _loop;
    private readonly Dictionary<string, ServiceInstance> _servers = new(StringComparer.Ordinal);
    private readonly HashSet<string> _invalid = new(StringComparer.Ordinal);

    public EtcdDiscovery(EtcdDiscoveryOptions options)
    {
        _prefix = options.ResolvePath() + "/";
        _rangeEnd = RangeEnd(_prefix);
        _channel = new EtcdConnection(options.Hosts, options.Auth);
        _loop = new DiscoveryLoop(Description, options.LoggerFactory, options.TimeProvider, ReadAndWatchAsync, () => _servers.Count, _channel.Fail);
    }

    public string Description => $"etcd {_channel.Description} {_prefix}";

    public Task StartAsync(Action<IReadOnlyList<ServiceInstance>> onChange, CancellationToken cancellationToken) =>
        _loop.StartAsync(onChange, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _loop.DisposeAsync();
        _channel.Dispose();
    }

    /// <summary>Reads every entry under the prefix, then applies the changes from the next revision on until the watch breaks.</summary>
    private async Task ReadAndWatchAsync(CancellationToken cancellationToken)
    {
        var headers = await _channel.HeadersAsync(cancellationToken);
        var range = await _channel.Kv.RangeAsync(new RangeRequest { Key = ByteString.CopyFromUtf8(_prefix), RangeEnd = _rangeEnd },
            headers, EtcdConnection.Deadline, cancellationToken);
        _servers.Clear();
        foreach (var kv in range.Kvs)
            Apply(kv.Key.ToStringUtf8(), kv.Value.Span);
        Publish();
        _loop.Connected();

        using var watch = _channel.Watch.Watch(headers, cancellationToken: cancellationToken);
        await watch.RequestStream.WriteAsync(new WatchRequest
        {
            CreateRequest = new WatchCreateRequest { Key = ByteString.CopyFromUtf8(_prefix), RangeEnd = _rangeEnd, StartRevision = range.Header.Revision + 1 },
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

    /// <summary>Adds or replaces the entry at <paramref name="key"/>; an unreadable entry is logged once and left out.</summary>
    private bool Apply(string key, ReadOnlySpan<byte> value)
    {
        var instance = ServiceEntryReader.TryRead(key, value, out string? reason);
        if (instance is null)
        {
            if (_invalid.Add(key))
                ClientLog.InvalidEntry(_loop.Log, key, reason ?? "unreadable");
            return _servers.Remove(key);
        }
        _invalid.Remove(key);
        if (_servers.TryGetValue(key, out var known) && known.Equals(instance))
            return false;
        _servers[key] = instance;
        return true;
    }

    private void Publish() => _loop.Publish([.. _servers.Values.OrderBy(s => s.Id, StringComparer.Ordinal)]);

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
