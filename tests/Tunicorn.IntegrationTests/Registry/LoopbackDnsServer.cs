using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Tunicorn.IntegrationTests.Registry;

/// <summary>
/// A tiny authoritative DNS server on 127.0.0.1 (UDP) for DnsDiscovery's tests: it answers A and SRV questions from
/// the records the test sets (the targets' A records go along as additional records, as real servers send them), with
/// NXDOMAIN for names it does not know and an empty answer for other types. While <see cref="Answering"/> is false it
/// drops every query, as an unreachable name server would.
/// </summary>
internal sealed class LoopbackDnsServer : IAsyncDisposable
{
    private const ushort TypeA = 1;
    private const ushort TypeSrv = 33;
    private const uint Ttl = 1;

    private readonly UdpClient _udp;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serving;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, IPAddress[]> _a = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, (string Target, int Port, int Priority, int Weight)[]> _srv = new(StringComparer.OrdinalIgnoreCase);
    private int _queries;

    private LoopbackDnsServer(UdpClient udp)
    {
        _udp = udp;
        _serving = Task.Run(ServeAsync);
    }

    /// <summary>"127.0.0.1:PORT": the name server to give DnsDiscovery.</summary>
    public string Address => ((IPEndPoint)_udp.Client.LocalEndPoint!).ToString();

    /// <summary>False: queries are dropped unanswered.</summary>
    public bool Answering { get; set; } = true;

    /// <summary>Queries received so far (answered or dropped).</summary>
    public int Queries => Volatile.Read(ref _queries);

    /// <summary>Listens on a port the system picks.</summary>
    public static LoopbackDnsServer Start() => new(new UdpClient(new IPEndPoint(IPAddress.Loopback, 0)));

    public void SetA(string name, params IPAddress[] addresses)
    {
        lock (_gate)
            _a[name] = addresses;
    }

    public void SetSrv(string name, params (string Target, int Port, int Priority, int Weight)[] records)
    {
        lock (_gate)
            _srv[name] = records;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _udp.Dispose();
        try
        {
            await _serving;
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
        _stop.Dispose();
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var query = await _udp.ReceiveAsync(_stop.Token);
            Interlocked.Increment(ref _queries);
            if (!Answering || Answer(query.Buffer) is not { } answer)
                continue;
            await _udp.SendAsync(answer, query.RemoteEndPoint, _stop.Token);
        }
    }

    /// <summary>The response to one query; null for a packet that is no query of one question.</summary>
    private byte[]? Answer(byte[] query)
    {
        if (query.Length < 12 || (query[2] & 0x80) != 0 || BinaryPrimitives.ReadUInt16BigEndian(query.AsSpan(4)) != 1)
            return null;
        int offset = 12;
        var labels = new List<string>();
        while (query[offset] != 0)
        {
            int length = query[offset];
            labels.Add(Encoding.ASCII.GetString(query, offset + 1, length));
            offset += length + 1;
        }
        offset++;
        ushort type = BinaryPrimitives.ReadUInt16BigEndian(query.AsSpan(offset));
        int questionEnd = offset + 4;
        string name = string.Join('.', labels);

        var answers = new List<byte[]>();
        var additionals = new List<byte[]>();
        bool known;
        lock (_gate)
        {
            known = _a.ContainsKey(name) || _srv.ContainsKey(name);
            if (type == TypeA && _a.TryGetValue(name, out var addresses))
                answers.AddRange(addresses.Select(a => Record(name, TypeA, a.GetAddressBytes())));
            if (type == TypeSrv && _srv.TryGetValue(name, out var records))
            {
                foreach (var (target, port, priority, weight) in records)
                {
                    var data = new List<byte>();
                    data.AddRange(BigEndian((ushort)priority));
                    data.AddRange(BigEndian((ushort)weight));
                    data.AddRange(BigEndian((ushort)port));
                    data.AddRange(Name(target));
                    answers.Add(Record(name, TypeSrv, [.. data]));
                    if (_a.TryGetValue(target, out var targetAddresses))
                        additionals.AddRange(targetAddresses.Select(a => Record(target, TypeA, a.GetAddressBytes())));
                }
            }
        }

        var response = new List<byte>();
        response.AddRange(query.AsSpan(0, 2).ToArray()); // the query's id
        response.Add((byte)(0x84 | (query[2] & 0x01))); // response, authoritative, the query's recursion desired
        response.Add((byte)(0x80 | (known ? 0 : 3))); // recursion available; NOERROR or NXDOMAIN
        response.AddRange(BigEndian(1));
        response.AddRange(BigEndian((ushort)answers.Count));
        response.AddRange(BigEndian(0));
        response.AddRange(BigEndian((ushort)additionals.Count));
        response.AddRange(query.AsSpan(12, questionEnd - 12).ToArray());
        foreach (var record in answers.Concat(additionals))
            response.AddRange(record);
        return [.. response];
    }

    private static byte[] Record(string name, ushort type, byte[] data)
    {
        var record = new List<byte>(Name(name));
        record.AddRange(BigEndian(type));
        record.AddRange(BigEndian(1)); // IN
        var ttl = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(ttl, Ttl);
        record.AddRange(ttl);
        record.AddRange(BigEndian((ushort)data.Length));
        record.AddRange(data);
        return [.. record];
    }

    private static byte[] Name(string name)
    {
        var bytes = new List<byte>();
        foreach (string label in name.TrimEnd('.').Split('.'))
        {
            bytes.Add((byte)label.Length);
            bytes.AddRange(Encoding.ASCII.GetBytes(label));
        }
        bytes.Add(0);
        return [.. bytes];
    }

    private static byte[] BigEndian(ushort value)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, value);
        return bytes;
    }
}
