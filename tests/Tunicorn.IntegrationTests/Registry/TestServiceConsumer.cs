using Tunicorn.Client;

namespace Tunicorn.IntegrationTests.Registry;

/// <summary>A consumer as an application has them: it takes the typed client in its constructor from the container.</summary>
internal sealed class TestServiceConsumer(TunicornClient<testapp.TestService.Client> testService)
{
    public TunicornClient<testapp.TestService.Client> Client => testService;

    public Task<int> WorkerPidAsync() => testService.CallAsync((client, ct) => client.pid(ct));
}
