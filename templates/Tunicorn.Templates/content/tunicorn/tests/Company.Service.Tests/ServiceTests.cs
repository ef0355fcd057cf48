using Company.Service.Thrift;
using Tunicorn.Client;
using Tunicorn.Client.Discovery;
using Xunit;

namespace Company.Service.Tests;

public sealed class ServiceTests
{
    [Fact]
    public async Task Service_StartedWithTwoWorkers_AnswersCalls()
    {
        await using var service = RunningService.Start(workers: 2);
        await service.WaitUntilListeningAsync(TimeSpan.FromSeconds(60));

        await using var client = new TunicornClient<ExampleService.Client>(
            new TunicornClientOptions { Discovery = new StaticDiscovery($"127.0.0.1:{service.Port}") },
            protocol => new ExampleService.Client(protocol));
        await client.StartAsync();

        await client.CallAsync((c, ct) => c.ping(ct));
        Assert.Equal(5, await client.CallAsync((c, ct) => c.add(2, 3, ct)));
        Assert.Equal("Hello, Ada!", await client.CallAsync((c, ct) => c.greet("Ada", ct)));
        var invalid = await Assert.ThrowsAsync<InvalidName>(() => client.CallAsync((c, ct) => c.greet("", ct)));
        Assert.Equal("the name is empty", invalid.Reason);
    }
}
