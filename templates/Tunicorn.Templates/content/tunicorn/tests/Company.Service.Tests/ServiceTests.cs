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

        // A machine busy starting the service's three processes and this test can hold a connect's completion for more
        // than the 1 s a production client allows (after which it skips the server); a test waits longer.
        await using var client = new TunicornClient<ExampleService.Client>(
            new TunicornClientOptions
            {
                Discovery = new StaticDiscovery($"127.0.0.1:{service.Port}"),
                ConnectTimeout = TimeSpan.FromSeconds(10),
            },
            protocol => new ExampleService.Client(protocol));
        await client.StartAsync();

        await client.CallAsync((c, ct) => c.ping(ct));
        Assert.Equal(5, await client.CallAsync((c, ct) => c.add(2, 3, ct)));
        Assert.Equal("Hello, Ada!", await client.CallAsync((c, ct) => c.greet("Ada", ct)));
        var invalid = await Assert.ThrowsAsync<InvalidName>(() => client.CallAsync((c, ct) => c.greet("", ct)));
        Assert.Equal("the name is empty", invalid.Reason);
    }
}
