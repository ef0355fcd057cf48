namespace Tunicorn.Config;

/// <summary>Settings of the Thrift layer, with gunicorn_thrift's names.</summary>
public static class ThriftSettings
{
    public static readonly Setting<ThriftProtocolKind> ProtocolFactory = new("thrift_protocol_factory", SettingSection.Thrift)
    {
        Flags = ["--thrift-protocol-factory"],
        MetaVar = "PROTOCOL",
        // Binary is what the Thrift compiler's generated clients use unless told otherwise.
        Default = ThriftProtocolKind.Binary,
        Validator = Validators.Choice<ThriftProtocolKind>(
            [new("binary", ThriftProtocolKind.Binary), new("compact", ThriftProtocolKind.Compact), new("json", ThriftProtocolKind.Json)]),
        Description = """
            The Thrift protocol clients speak: binary, compact or json.
            """,
    };

    public static readonly Setting<ThriftTransportKind> TransportFactory = new("thrift_transport_factory", SettingSection.Thrift)
    {
        Flags = ["--thrift-transport-factory"],
        MetaVar = "TRANSPORT",
        // Same default as gunicorn_thrift (TBufferedTransportFactory).
        Default = ThriftTransportKind.Buffered,
        Validator = Validators.Choice<ThriftTransportKind>(
            [new("buffered", ThriftTransportKind.Buffered), new("framed", ThriftTransportKind.Framed)]),
        Description = """
            The Thrift transport clients use: buffered or framed.
            """,
    };

    public static readonly Setting<double?> ClientTimeout = new("thrift_client_timeout", SettingSection.Thrift)
    {
        Flags = ["--thrift-client-timeout"],
        MetaVar = "SECONDS",
        // Same default as gunicorn_thrift: wait forever.
        Default = null,
        Validator = Validators.Optional(Validators.Seconds),
        Description = """
            Close a client connection that stays idle this many seconds between calls.
            Unset (or 0) waits forever.
            """,
    };

    public static readonly Setting<bool> ProcessorAsFactory = new("thrift_processor_as_factory", SettingSection.Thrift)
    {
        Flags = ["--thrift-processor-as-factory"],
        Default = false,
        Validator = Validators.Boolean,
        Description = """
            Create a new handler and processor for each connection instead of one per worker.
            For handlers that keep per-connection state. Same meaning as in gunicorn_thrift.
            """,
    };
}
