namespace Tunicorn.Metrics;

/// <summary>
/// Instrument and attribute names, after the OpenTelemetry semantic conventions for RPC where they have one
/// (rpc.server.*, rpc.system.name, rpc.method, error.type), under <c>tunicorn.</c> where they have none.
/// docs/metrics.md lists them with their units.
/// </summary>
internal static class MetricNames
{
    public const string CallDuration = "rpc.server.call.duration";
    public const string RequestSize = "rpc.server.request.size";
    public const string ResponseSize = "rpc.server.response.size";
    public const string ActiveCalls = "tunicorn.server.active_calls";
    public const string ActiveConnections = "tunicorn.server.active_connections";
    public const string Connections = "tunicorn.server.connections";
    public const string RejectedConnections = "tunicorn.server.rejected_connections";
    public const string BadInput = "tunicorn.server.bad_input";
    public const string WorkersAlive = "tunicorn.master.workers";
    public const string WorkersSpawned = "tunicorn.master.workers.spawned";
    public const string WorkersExited = "tunicorn.master.workers.exited";
    public const string Reloads = "tunicorn.master.reloads";
    public const string WorkerMemory = "tunicorn.worker.memory.rss";

    public const string RpcSystemName = "rpc.system.name";
    public const string RpcSystemThrift = "apache_thrift";
    public const string RpcMethod = "rpc.method";
    public const string ErrorType = "error.type";
    public const string Protocol = "thrift.protocol";
    public const string Transport = "thrift.transport";
    public const string Reason = "reason";
    public const string Result = "result";
    public const string WorkerPid = "worker.pid";
}
