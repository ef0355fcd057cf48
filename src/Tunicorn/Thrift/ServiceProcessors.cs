using Thrift.Processor;
using Thrift.Protocol;

namespace Tunicorn.Thrift;

/// <summary>
/// The processors a connection dispatches its calls to: one for an app served alone, one per service name when
/// multiplexed. A multiplexed call is named <c>SERVICE:method</c> on the wire (TMultiplexedProtocol); a call without a
/// service name goes to the default (first) service, so plain clients keep working next to multiplexed ones, as in
/// Apache Thrift's own cross-language test servers.
/// </summary>
internal sealed class ServiceProcessors(ITAsyncProcessor @default, IReadOnlyDictionary<string, ITAsyncProcessor>? byName)
{
    public ITAsyncProcessor Default { get; } = @default;

    /// <summary>
    /// The processor for a call named <paramref name="messageName"/> and the method name it must see; null when the name
    /// carries a service this server does not have.
    /// </summary>
    public ITAsyncProcessor? Resolve(string messageName, out string method)
    {
        method = messageName;
        if (byName is null)
            return Default;
        int separator = messageName.IndexOf(TMultiplexedProtocol.Separator, StringComparison.Ordinal);
        if (separator < 0)
            return Default;
        method = messageName[(separator + TMultiplexedProtocol.Separator.Length)..];
        return byName.GetValueOrDefault(messageName[..separator]);
    }

    /// <summary>The service names, for the debug log (never for the client) when a call names an unknown method or service.</summary>
    public string Names => byName is null ? "" : string.Join(", ", byName.Keys);
}
