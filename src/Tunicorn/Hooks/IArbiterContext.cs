using Microsoft.Extensions.Logging;
using Tunicorn.Config;

namespace Tunicorn.Hooks;

/// <summary>What a master-side hook sees of the arbiter (gunicorn passes its Arbiter as <c>server</c>).</summary>
public interface IArbiterContext
{
    int Pid { get; }
    Settings Settings { get; }
    /// <summary>The number of workers the arbiter aims for (changes on TTIN/TTOU).</summary>
    int TargetWorkers { get; }
    ILogger Log { get; }
}
