using Microsoft.Extensions.Logging;
using Tunicorn.Hooks;

namespace Company.Service;

/// <summary>
/// Server hooks (gunicorn's names: when_ready, post_fork, pre_request, ...). .NET cannot fork: pre_fork runs in the
/// master before a worker process starts, post_fork first thing in the new worker. A hook that throws is logged.
/// </summary>
public sealed class ServiceHooks : ServerHooks
{
    public override void PostWorkerInit(IWorkerContext worker) =>
        worker.Log.LogInformation("Company.Service worker {Pid} ready", worker.Pid);
}
