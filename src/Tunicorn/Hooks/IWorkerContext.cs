using Microsoft.Extensions.Logging;
using Tunicorn.Config;

namespace Tunicorn.Hooks;

/// <summary>What a worker-side hook sees of its worker.</summary>
public interface IWorkerContext
{
    int Pid { get; }
    /// <summary>The spawn order of this worker within its master (gunicorn's worker.age).</summary>
    int Age { get; }
    Settings Settings { get; }
    /// <summary>Calls completed so far by this worker.</summary>
    long CallsServed { get; }
    ILogger Log { get; }
}
