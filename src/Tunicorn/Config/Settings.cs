using Microsoft.Extensions.Logging;

namespace Tunicorn.Config;

/// <summary>
/// The resolved settings of one master generation: defaults, config file, TUNICORN_CMD_ARGS and command
/// line already merged. Immutable; a HUP builds a new instance. Workers receive it serialized from the master.
/// </summary>
/// <remarks>STUB: owned by the Config helper, who replaces the internals with the settings table.</remarks>
public sealed class Settings
{
    /// <summary>APP: <c>path/to/Assembly.dll[:Namespace.Type]</c>; null in embedded mode when handlers are registered in code.</summary>
    public string? App { get; init; }
    public string? ConfigFile { get; init; }
    public IReadOnlyList<string> Bind { get; init; } = ["127.0.0.1:9090"];
    public int Backlog { get; init; } = 2048;
    public int Workers { get; init; } = 1;
    public WorkerClass WorkerClass { get; init; } = WorkerClass.Async;
    public int Threads { get; init; } = 1;
    public int WorkerConnections { get; init; } = 1000;
    public int MaxRequests { get; init; }
    public int MaxRequestsJitter { get; init; }
    /// <summary>Seconds without a heartbeat (or in one call) before a worker is killed; 0 disables.</summary>
    public double Timeout { get; init; } = 30;
    public double GracefulTimeout { get; init; } = 30;
    public bool ReusePort { get; init; }
    public string? Chdir { get; init; }
    public IReadOnlyList<string> RawEnv { get; init; } = [];
    public string? Pidfile { get; init; }
    public string? User { get; init; }
    public string? Group { get; init; }
    public int? Umask { get; init; }
    /// <summary>"-" is stderr; null disables the access log.</summary>
    public string? AccessLog { get; init; }
    public string AccessLogFormat { get; init; } = "%(t)s %(h)s %(m)s %(r)s %(D)sus";
    /// <summary>"-" is stderr.</summary>
    public string ErrorLog { get; init; } = "-";
    public LogLevel LogLevel { get; init; } = LogLevel.Information;
    public string? ProcName { get; init; }
    /// <summary>A type name deriving from ServerHooks, looked up in the app assembly and loaded assemblies.</summary>
    public string? Hooks { get; init; }
    public ThriftProtocolKind ThriftProtocol { get; init; } = ThriftProtocolKind.Binary;
    public ThriftTransportKind ThriftTransport { get; init; } = ThriftTransportKind.Buffered;
    /// <summary>Seconds a connection may stay idle between calls before it is closed; null waits forever.</summary>
    public double? ThriftClientTimeout { get; init; }
    public bool ThriftProcessorAsFactory { get; init; }

    /// <summary>Every setting as name -> value strings, the form workers receive and --print-config shows.</summary>
    public string Serialize() => throw new NotImplementedException();

    public static Settings Deserialize(string serialized) => throw new NotImplementedException();
}
