using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Tunicorn.Config;
using Tunicorn.Hooks;
using Tunicorn.Logging;
using Tunicorn.Thrift;
using Tunicorn.WorkerContract;

namespace Tunicorn.Worker;

/// <summary>Everything a worker class needs, gathered by <see cref="WorkerHost"/> before the worker starts.</summary>
/// <param name="HandOffChannel">Its end of the hand-off channel with the master (connections moved between workers); null for none.</param>
internal sealed record WorkerOptions(
    Settings Settings,
    int Age,
    int MasterPid,
    IReadOnlyList<Socket> Listeners,
    Socket Control,
    ThriftApplication App,
    ThriftConnectionOptions Connection,
    ServerHooks Hooks,
    ILoggerFactory LoggerFactory,
    ILogger Log,
    AccessLog? AccessLog,
    Func<bool> ReopenLogs,
    ConnectionBoard Board,
    int BoardSlot,
    Socket? HandOffChannel = null);
