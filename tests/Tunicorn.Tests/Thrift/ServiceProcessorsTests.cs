using Thrift.Processor;
using Thrift.Protocol;
using Tunicorn.Thrift;

namespace Tunicorn.Tests.Thrift;

public sealed class ServiceProcessorsTests
{
    private sealed class Named(string name) : ITAsyncProcessor
    {
        public string Name { get; } = name;
        public Task<bool> ProcessAsync(TProtocol iprot, TProtocol oprot, CancellationToken cancellationToken = default) => Task.FromResult(true);
    }

    private static readonly Named First = new("first");
    private static readonly Named Second = new("second");

    [Fact]
    public void Resolve_Multiplexed_PicksTheServiceAndStripsItsName()
    {
        var processors = new ServiceProcessors(First, new Dictionary<string, ITAsyncProcessor> { ["ThriftTest"] = First, ["SecondService"] = Second });
        Assert.Same(Second, processors.Resolve("SecondService:secondtestString", out string method));
        Assert.Equal("secondtestString", method);
    }

    [Fact]
    public void Resolve_Multiplexed_APlainNameGoesToTheFirstService()
    {
        var processors = new ServiceProcessors(First, new Dictionary<string, ITAsyncProcessor> { ["ThriftTest"] = First, ["SecondService"] = Second });
        Assert.Same(First, processors.Resolve("testVoid", out string method));
        Assert.Equal("testVoid", method);
    }

    [Fact]
    public void Resolve_Multiplexed_AnUnknownServiceIsNull()
    {
        var processors = new ServiceProcessors(First, new Dictionary<string, ITAsyncProcessor> { ["ThriftTest"] = First });
        Assert.Null(processors.Resolve("Nope:testVoid", out _));
    }

    [Fact]
    public void Resolve_SingleService_KeepsAColonInTheNameForTheProcessorToRefuse()
    {
        var processors = new ServiceProcessors(First, byName: null);
        Assert.Same(First, processors.Resolve("Some:thing", out string method));
        Assert.Equal("Some:thing", method);
    }
}
