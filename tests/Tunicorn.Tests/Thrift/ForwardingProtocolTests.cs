using System.Reflection;
using Thrift.Protocol;
using Tunicorn.Thrift;

namespace Tunicorn.Tests.Thrift;

public sealed class ForwardingProtocolTests
{
    [Fact]
    public void EveryOverridableMethodOfTProtocol_IsForwarded_NotLeftToTheBase()
    {
        // A virtual the forwarding protocol does not override (TProtocol's ReadStringAsync and WriteStringAsync have
        // bodies) would run on the decorator itself, through its ReadBinaryAsync, instead of on the wrapped protocol.
        var overridable = typeof(TProtocol).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => m.IsVirtual && !m.IsFinal && m.Name != nameof(TProtocol.Dispose))
            .ToList();
        var missing = overridable
            .Where(m => typeof(ForwardingProtocol).GetMethod(m.Name, m.GetParameters().Select(p => p.ParameterType).ToArray())?.DeclaringType
                != typeof(ForwardingProtocol))
            .Select(m => m.Name)
            .ToList();

        Assert.True(overridable.Count > 40, $"only {overridable.Count} overridable methods found");
        Assert.Empty(missing);
    }
}
