using System.Buffers.Binary;
using System.Net;
using System.Text;
using Tunicorn.Thrift.ProxyProtocol;

namespace Tunicorn.Tests.Thrift.ProxyProtocol;

/// <summary>PROXY headers as a proxy writes them, built from the spec's layout for the tests.</summary>
internal static class ProxyHeaderBytes
{
    public static byte[] Version1(string line) => Encoding.ASCII.GetBytes(line);

    /// <summary>A version 2 header: command 0 LOCAL or 1 PROXY, family and transport byte, addresses, then TLVs.</summary>
    public static byte[] Version2(int command, byte familyAndTransport, ReadOnlySpan<byte> addresses, params (byte Type, byte[] Value)[] tlvs)
    {
        var payload = new List<byte>(addresses.ToArray());
        foreach (var (type, value) in tlvs)
        {
            payload.Add(type);
            payload.Add((byte)(value.Length >> 8));
            payload.Add((byte)value.Length);
            payload.AddRange(value);
        }
        var header = new List<byte>(ProxyHeaderParser.Version2Signature.ToArray())
        {
            (byte)(0x20 | command),
            familyAndTransport,
            (byte)(payload.Count >> 8),
            (byte)payload.Count,
        };
        header.AddRange(payload);
        return [.. header];
    }

    public static byte[] Inet4(string source, int sourcePort, string destination, int destinationPort) =>
        Addresses(IPAddress.Parse(source), sourcePort, IPAddress.Parse(destination), destinationPort);

    public static byte[] Inet6(string source, int sourcePort, string destination, int destinationPort) =>
        Addresses(IPAddress.Parse(source), sourcePort, IPAddress.Parse(destination), destinationPort);

    private static byte[] Addresses(IPAddress source, int sourcePort, IPAddress destination, int destinationPort)
    {
        byte[] ports = new byte[4];
        BinaryPrimitives.WriteUInt16BigEndian(ports, (ushort)sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(ports.AsSpan(2), (ushort)destinationPort);
        return [.. source.GetAddressBytes(), .. destination.GetAddressBytes(), .. ports];
    }
}
