using ThriftTest;

namespace Tunicorn.Examples.ThriftTest;

/// <summary>
/// The second service of ThriftTest.thrift, which the cross-language tests serve multiplexed next to ThriftTest:
/// <c>secondtestString("x")</c> answers <c>testString("x")</c>, as Apache Thrift's test servers do.
/// </summary>
public sealed class SecondServiceHandler : SecondService.IAsync
{
    public Task<string> secondtestString(string? thing, CancellationToken cancellationToken = default) =>
        Task.FromResult($"testString(\"{thing}\")");
}
