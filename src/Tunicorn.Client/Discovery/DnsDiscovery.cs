using System.Net;
using System.Net.Sockets;
using DnsClient;

namespace Tunicorn.Client.Discovery;

/// <summary>
/// The servers a DNS name resolves to: the A/AAAA records of a host name with a fixed port (a Kubernetes headless
/// service, a round-robin name), or the SRV records of a name (each target's addresses, the record's port). DNS has
/// no watch, so the name is resolved again every <see cref="DnsDiscoveryOptions.RefreshInterval"/>, and the set is
/// published when it changed.
/// </summary>
/// <remarks>
/// <para>A name that does not exist (NXDOMAIN) or has no such records is an answer: no server. A failed resolution
/// (no name server answers, SERVFAIL, refused) is an outage, logged once as the registries' outages are: the last set
/// stays, and the name is asked again after 0.2 s, backing off to 1 s, until it resolves again.</para>
/// <para>DNS announces no protocol or transport: the client's <see cref="TunicornClientOptions.Protocol"/> and
/// <see cref="TunicornClientOptions.Transport"/> apply (binary and buffered when not set).</para>
/// </remarks>
public sealed class DnsDiscovery : IServiceDiscovery
{
    private readonly DnsDiscoveryOptions _options;
    private readonly LookupClient? _lookup;
    private readonly string _via;
    private readonly DiscoveryLoop _loop;
    private IReadOnlyList<ServiceInstance>? _current;

    public DnsDiscovery(DnsDiscoveryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.Host) == string.IsNullOrWhiteSpace(options.SrvName))
            throw new ArgumentException("set exactly one of Host (with Port) and SrvName in DnsDiscoveryOptions", nameof(options));
        if (options.Host is not null && options.Port is not (>= 1 and <= 65535))
            throw new ArgumentException($"DnsDiscoveryOptions.Host {options.Host} needs a Port from 1 to 65535", nameof(options));
        if (options.RefreshInterval <= TimeSpan.Zero || options.QueryTimeout <= TimeSpan.Zero)
            throw new ArgumentException("DnsDiscoveryOptions.RefreshInterval and QueryTimeout must be positive", nameof(options));
        _options = options;
        var nameServers = options.NameServers.Select(DnsRecords.ParseNameServer).ToArray();
        // System.Net.Dns (getaddrinfo: /etc/hosts, nsswitch) answers A/AAAA from the system's resolver; it cannot ask a
        // given name server or for SRV records, which take a DNS client of their own.
        if (nameServers.Length > 0 || options.SrvName is not null)
        {
            var lookupOptions = nameServers.Length > 0 ? new LookupClientOptions(nameServers) : new LookupClientOptions();
            // No cache: each refresh asks the name server, so a change is seen within the interval whatever the TTL.
            lookupOptions.UseCache = false;
            lookupOptions.Timeout = options.QueryTimeout;
            lookupOptions.Retries = 1;
            lookupOptions.ThrowDnsErrors = false;
            _lookup = new LookupClient(lookupOptions);
        }
        _via = nameServers.Length > 0 ? " via " + string.Join(",", nameServers.Select(DnsRecords.Describe)) : "";
        _loop = new DiscoveryLoop(Description, options.LoggerFactory, options.TimeProvider, ResolveEveryIntervalAsync, () => _current?.Count ?? 0);
    }

    public string Description => (_options.SrvName is { } srv ? $"dns SRV {srv}" : $"dns A/AAAA {_options.Host}:{_options.Port}") + _via;

    public Task StartAsync(Action<IReadOnlyList<ServiceInstance>> onChange, CancellationToken cancellationToken) =>
        _loop.StartAsync(onChange, cancellationToken);

    public ValueTask DisposeAsync() => _loop.DisposeAsync();

    /// <summary>Resolves, publishes a changed set, waits the interval; a failed resolution ends the attempt (an outage).</summary>
    private async Task ResolveEveryIntervalAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var servers = _options.SrvName is { } srv
                ? await ResolveSrvAsync(srv, cancellationToken)
                : DnsRecords.FromAddresses(await ResolveHostAsync(_options.Host!, cancellationToken), _options.Port!.Value);
            if (_current is null || !DnsRecords.SameSet(_current, servers))
            {
                _current = servers;
                _loop.Publish(servers);
            }
            _loop.Connected();
            await Task.Delay(_options.RefreshInterval, _options.TimeProvider, cancellationToken);
        }
    }

    private async Task<IReadOnlyList<ServiceInstance>> ResolveSrvAsync(string name, CancellationToken cancellationToken)
    {
        var response = await QueryAsync(name, QueryType.SRV, cancellationToken);
        if (response is null)
            return [];
        // Name servers usually send the targets' addresses along as additional records; a target without them is looked up.
        var known = response.Additionals.ARecords().Select(r => (Name: r.DomainName.Value, r.Address))
            .Concat(response.Additionals.AaaaRecords().Select(r => (Name: r.DomainName.Value, r.Address)))
            .ToLookup(r => DnsRecords.HostName(r.Name), r => r.Address, StringComparer.OrdinalIgnoreCase);
        var targets = new List<DnsSrvTarget>();
        foreach (var record in response.Answers.SrvRecords())
        {
            string target = DnsRecords.HostName(record.Target.Value);
            IReadOnlyList<IPAddress> addresses = known.Contains(target) ? [.. known[target]] : await ResolveHostAsync(target, cancellationToken);
            targets.Add(new DnsSrvTarget(target, record.Port, record.Priority, record.Weight, addresses));
        }
        return DnsRecords.FromSrv(targets);
    }

    /// <summary>A host's addresses: from the given name servers when there are some, else from the system's resolver.</summary>
    private async Task<IReadOnlyList<IPAddress>> ResolveHostAsync(string host, CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(host, out var literal))
            return [literal];
        if (_lookup is null || _options.NameServers.Count == 0)
        {
            try
            {
                return await Dns.GetHostAddressesAsync(host, cancellationToken);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.HostNotFound or SocketError.NoData)
            {
                return [];
            }
        }
        var a = QueryAsync(host, QueryType.A, cancellationToken);
        var aaaa = QueryAsync(host, QueryType.AAAA, cancellationToken);
        var answers = await Task.WhenAll(a, aaaa);
        return [.. answers.OfType<IDnsQueryResponse>().SelectMany(r => r.Answers.ARecords().Select(x => x.Address).Concat(r.Answers.AaaaRecords().Select(x => x.Address)))];
    }

    /// <summary>The answer to one query; null when the name does not exist. A name server's error is an outage.</summary>
    private async Task<IDnsQueryResponse?> QueryAsync(string name, QueryType type, CancellationToken cancellationToken)
    {
        var response = await _lookup!.QueryAsync(name, type, QueryClass.IN, cancellationToken);
        if (response.Header.ResponseCode == DnsHeaderResponseCode.NotExistentDomain)
            return null;
        if (response.HasError)
            throw new IOException($"DNS {type} query for {name} failed at {response.NameServer}: {response.ErrorMessage}");
        return response;
    }
}
