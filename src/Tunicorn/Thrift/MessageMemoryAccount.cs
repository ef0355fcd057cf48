using Thrift.Protocol;
using Thrift.Protocol.Entities;

namespace Tunicorn.Thrift;

/// <summary>
/// What the message a connection is decoding and serving costs in memory, as estimated from the collections it
/// announces, charged to the worker's <see cref="MessageMemoryBudget"/> when announced and released when the call ends.
/// </summary>
/// <remarks>
/// The generated code sizes each list, set and map by the count the client announces (<c>new List&lt;T&gt;(count)</c>)
/// before any element arrives, then creates an object per element; an empty struct costs 1 byte on the wire and about
/// 24 in memory, plus its slot in the collection. So the charge is taken at the announcement, for the whole
/// collection and its elements, before the generated code allocates anything: a message that announces more than
/// the budget is refused at once, body or not. Strings and binaries are not charged: they cost about their bytes,
/// which the max message size bounds.
/// </remarks>
internal sealed class MessageMemoryAccount(MessageMemoryBudget? budget, int maxCollectionSize) : IDisposable
{
    /// <summary>The smallest object .NET allocates (header, method table, one field): a generated struct of no fields.</summary>
    private const int MinObjectBytes = 24;
    /// <summary>A generated struct of a few fields, or an empty collection object (List is 32 bytes, HashSet 64).</summary>
    private const int SmallObjectBytes = 32;
    /// <summary>HashSet and Dictionary keep a bucket (4 bytes) and a hash code and next index (8) per entry.</summary>
    private const int HashEntryOverhead = 12;

    private long _charged;

    /// <summary>What the current message has been charged so far, in bytes.</summary>
    public long Charged => _charged;

    public void OnList(TList list) => Charge(list.Count, "list", Slot(list.ElementType) + ObjectBytes(list.ElementType));

    public void OnSet(TSet set) => Charge(set.Count, "set", HashEntryOverhead + Slot(set.ElementType) + ObjectBytes(set.ElementType));

    public void OnMap(TMap map) => Charge(map.Count, "map",
        HashEntryOverhead + Slot(map.KeyType) + Slot(map.ValueType) + ObjectBytes(map.KeyType) + ObjectBytes(map.ValueType));

    private void Charge(int count, string kind, int bytesPerElement)
    {
        if (count > maxCollectionSize)
        {
            throw new TProtocolException(TProtocolException.SIZE_LIMIT,
                $"a {kind} of {count} elements exceeds thrift_max_collection_size ({maxCollectionSize})");
        }
        // Negative counts are the protocol's to refuse, with its own message.
        if (count <= 0 || budget is null)
            return;
        long bytes = (long)count * bytesPerElement + SmallObjectBytes;
        if (!budget.TryCharge(bytes, out long inFlight))
        {
            throw new TProtocolException(TProtocolException.SIZE_LIMIT,
                $"a {kind} of {count} elements would take about {Mib(bytes)} MiB while the worker's calls hold {Mib(inFlight)} MiB, " +
                $"over thrift_message_memory_budget ({Mib(budget.Limit)} MiB)");
        }
        _charged += bytes;
    }

    /// <summary>The call is over (answered, failed or closed): its decoded objects are garbage now.</summary>
    public void Release()
    {
        long charged = _charged;
        _charged = 0;
        budget?.Release(charged);
    }

    public void Dispose() => Release();

    /// <summary>Bytes of one element's slot in the collection's array: the value itself, or a reference.</summary>
    private static int Slot(TType type) => type switch
    {
        TType.Bool or TType.Byte => 1,
        TType.I16 => 2,
        TType.I32 => 4,
        TType.Uuid => 16,
        _ => 8, // i64, double, and references to strings, binaries, structs and collections
    };

    /// <summary>Bytes of the object an element is, besides its slot: none for values.</summary>
    private static int ObjectBytes(TType type) => type switch
    {
        TType.Struct or TType.List or TType.Set or TType.Map => SmallObjectBytes,
        TType.String => MinObjectBytes,
        _ => 0,
    };

    private static string Mib(long bytes) => (bytes / (1024.0 * 1024)).ToString("0.#", System.Globalization.CultureInfo.InvariantCulture);
}
