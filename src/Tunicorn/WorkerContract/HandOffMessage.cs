using System.Globalization;
using System.Text;
using Tunicorn.Config;

namespace Tunicorn.WorkerContract;

/// <summary>
/// One message of the hand-off channel (a SOCK_SEQPACKET pair per worker, see Interop.DescriptorPassing): a line of
/// tab-separated fields, escaped, so that strace shows what moved. <c>offer ID PROTOCOL TRANSPORT PEER PROXIED_BY LOCAL</c>
/// and <c>adopt 0 …</c> carry a connection's descriptor and what was learnt of it; <c>moved ID</c> and <c>kept ID REASON</c>
/// answer an offer.
/// </summary>
/// <param name="Id">The offering worker's number for the offer, which the answer repeats.</param>
/// <param name="Protocol">The protocol detected (or configured); <see cref="ThriftProtocolKind.Auto"/> when no call was read yet.</param>
/// <param name="Peer">The client as the connection names it (after a PROXY header, the proxied client).</param>
/// <param name="ProxiedBy">The load balancer's address when a PROXY header named the client, else null.</param>
/// <param name="Reason">Why a connection was kept (<see cref="HandOffMessageKind.Kept"/>).</param>
internal sealed record HandOffMessage(HandOffMessageKind Kind, long Id, ThriftProtocolKind Protocol = ThriftProtocolKind.Auto,
    ThriftTransportKind Transport = ThriftTransportKind.Auto, string Peer = "", string? ProxiedBy = null, string LocalEndPoint = "",
    string? Reason = null)
{
    private const char Separator = '\t';

    public static HandOffMessage Moved(long id) => new(HandOffMessageKind.Moved, id);

    public static HandOffMessage Kept(long id, string reason) => new(HandOffMessageKind.Kept, id, Reason: reason);

    /// <summary>The same connection, to be adopted by another worker.</summary>
    public HandOffMessage ToAdopt() => this with { Kind = HandOffMessageKind.Adopt, Id = 0 };

    public byte[] Encode()
    {
        string id = Id.ToString(CultureInfo.InvariantCulture);
        string text = Kind switch
        {
            HandOffMessageKind.Offer or HandOffMessageKind.Adopt => string.Join(Separator,
                Kind == HandOffMessageKind.Offer ? "offer" : "adopt", id, Protocol.ToString(), Transport.ToString(),
                Escape(Peer), Escape(ProxiedBy ?? "-"), Escape(LocalEndPoint)),
            HandOffMessageKind.Moved => "moved" + Separator + id,
            _ => string.Join(Separator, "kept", id, Escape(Reason ?? "")),
        };
        return Encoding.UTF8.GetBytes(text);
    }

    /// <summary>Null when the bytes are no message of ours (the channel is private, so only a bug sends one).</summary>
    public static HandOffMessage? TryDecode(ReadOnlySpan<byte> bytes)
    {
        string[] fields = Encoding.UTF8.GetString(bytes).Split(Separator);
        if (fields.Length < 2 || !long.TryParse(fields[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out long id))
            return null;
        switch (fields[0])
        {
            case "moved":
                return Moved(id);
            case "kept" when fields.Length >= 3:
                return Kept(id, Unescape(fields[2]));
            case "offer" or "adopt" when fields.Length >= 7
                && Enum.TryParse(fields[2], out ThriftProtocolKind protocol) && Enum.TryParse(fields[3], out ThriftTransportKind transport):
                string proxiedBy = Unescape(fields[5]);
                return new HandOffMessage(fields[0] == "offer" ? HandOffMessageKind.Offer : HandOffMessageKind.Adopt, id, protocol, transport,
                    Unescape(fields[4]), proxiedBy == "-" ? null : proxiedBy, Unescape(fields[6]));
            default:
                return null;
        }
    }

    private static string Escape(string text) => Uri.EscapeDataString(text);

    private static string Unescape(string text) => Uri.UnescapeDataString(text);
}
