namespace Tunicorn.Client;

/// <summary>
/// The names of the client's meter, activity source, instruments and attributes. Where OpenTelemetry's semantic
/// conventions name a thing (RPC conventions, semconv 1.38 and later: rpc.system.name, "Service/method" in rpc.method),
/// their name is used; the rest are tunicorn.client.*.
/// </summary>
internal static class ClientTelemetryNames
{
    /// <summary>The meter's and the activity source's name: what a MeterListener, an ActivityListener or OpenTelemetry's AddMeter/AddSource subscribe to.</summary>
    public const string Source = "Tunicorn.Client";

    public const string CallDuration = "rpc.client.call.duration";
    public const string Retries = "tunicorn.client.retries";
    public const string Hedges = "tunicorn.client.hedges";
    public const string Ejections = "tunicorn.client.ejections";
    public const string Connections = "tunicorn.client.connection.count";
    public const string Servers = "tunicorn.client.server.count";

    /// <summary>The span event of a call sent again to another server.</summary>
    public const string RetryEvent = "tunicorn.client.retry";

    /// <summary>The span event of a call sent to another server as well, because the first had not answered (hedging).</summary>
    public const string HedgeEvent = "tunicorn.client.hedge";

    public const string RpcSystemName = "rpc.system.name";
    public const string RpcMethod = "rpc.method";
    public const string ServerAddress = "server.address";
    public const string ServerPort = "server.port";
    public const string ErrorType = "error.type";
    public const string ConnectionStateAttribute = "tunicorn.client.connection.state";
    public const string ServerStateAttribute = "tunicorn.client.server.state";
    public const string ServiceAttribute = "tunicorn.client.service";

    /// <summary>rpc.system.name for Thrift: semconv has no value for it; named as its older rpc.system named Apache Dubbo (apache_dubbo).</summary>
    public const string ThriftSystem = "apache_thrift";
}
