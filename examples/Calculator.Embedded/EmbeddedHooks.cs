using Microsoft.Extensions.Logging;
using Tunicorn.Hooks;

namespace Tunicorn.Examples.Calculator.Embedded;

/// <summary>Hooks given in code: says in the log when each worker is ready.</summary>
public sealed class EmbeddedHooks : ServerHooks
{
    public override void PostWorkerInit(IWorkerContext worker) =>
        worker.Log.LogInformation("Embedded calculator worker {Pid} ready", worker.Pid);
}
