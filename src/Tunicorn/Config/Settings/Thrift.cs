using System.Text.RegularExpressions;

namespace Tunicorn.Config;

/// <summary>Settings of the Thrift layer, with gunicorn_thrift's names.</summary>
internal static partial class ThriftSettings
{
    // gunicorn_thrift names a factory by "module:attribute" (Apache Thrift's Python package or thriftpy2's); each is the
    // same wire format as one of ours. Declared before the settings whose initializers read them.
    private static readonly KeyValuePair<string, string>[] GunicornThriftProtocolNames =
    [
        new("thrift.protocol.TBinaryProtocol:TBinaryProtocolFactory", "binary"),
        new("thrift.protocol.TBinaryProtocol:TBinaryProtocolAcceleratedFactory", "binary"),
        new("thrift.protocol.TCompactProtocol:TCompactProtocolFactory", "compact"),
        new("thrift.protocol.TCompactProtocol:TCompactProtocolAcceleratedFactory", "compact"),
        new("thrift.protocol.TJSONProtocol:TJSONProtocolFactory", "json"),
        new("thriftpy2.protocol:TBinaryProtocolFactory", "binary"),
        new("thriftpy2.protocol:TCyBinaryProtocolFactory", "binary"),
        new("thriftpy2.protocol.binary:TBinaryProtocolFactory", "binary"),
        new("thriftpy2.protocol.cybin:TCyBinaryProtocolFactory", "binary"),
        new("thriftpy2.protocol:TCompactProtocolFactory", "compact"),
        new("thriftpy2.protocol.compact:TCompactProtocolFactory", "compact"),
        new("thriftpy2.protocol:TJSONProtocolFactory", "json"),
        new("thriftpy2.protocol.json:TJSONProtocolFactory", "json"),
    ];

    private static readonly KeyValuePair<string, string>[] GunicornThriftTransportNames =
    [
        new("thrift.transport.TTransport:TBufferedTransportFactory", "buffered"),
        new("thrift.transport.TTransport:TFramedTransportFactory", "framed"),
        new("thriftpy2.transport:TBufferedTransportFactory", "buffered"),
        new("thriftpy2.transport:TCyBufferedTransportFactory", "buffered"),
        new("thriftpy2.transport.buffered:TBufferedTransportFactory", "buffered"),
        new("thriftpy2.transport:TFramedTransportFactory", "framed"),
        new("thriftpy2.transport:TCyFramedTransportFactory", "framed"),
        new("thriftpy2.transport.framed:TFramedTransportFactory", "framed"),
    ];

    public static readonly Setting<ThriftProtocolKind> ThriftProtocol = new("thrift_protocol_factory", SettingSection.Thrift)
    {
        Flags = ["--thrift-protocol-factory"],
        MetaVar = "PROTOCOL",
        // Binary is what the Thrift compiler's generated clients use unless told otherwise.
        Default = ThriftProtocolKind.Binary,
        Validator = Validators.Choice<ThriftProtocolKind>(
            ["binary", "compact", "json", "auto"],
            [ThriftProtocolKind.Binary, ThriftProtocolKind.Compact, ThriftProtocolKind.Json, ThriftProtocolKind.Auto],
            GunicornThriftProtocolNames),
        Description = """
            The Thrift protocol clients speak: binary, compact, json or auto.
            auto detects the protocol of each connection from its first bytes, so that one port serves clients
            of all three protocols. gunicorn_thrift's values are accepted too: the Python factory names of
            Apache Thrift (thrift.protocol.TBinaryProtocol:TBinaryProtocolFactory, its accelerated variant,
            TCompactProtocol, TJSONProtocol) and of thriftpy2 (thriftpy2.protocol:TBinaryProtocolFactory,
            TCyBinaryProtocolFactory, TCompactProtocolFactory, TJSONProtocolFactory).
            """,
    };

    public static readonly Setting<ThriftTransportKind> ThriftTransport = new("thrift_transport_factory", SettingSection.Thrift)
    {
        Flags = ["--thrift-transport-factory"],
        MetaVar = "TRANSPORT",
        // Same default as gunicorn_thrift (TBufferedTransportFactory).
        Default = ThriftTransportKind.Buffered,
        Validator = Validators.Choice<ThriftTransportKind>(
            ["buffered", "framed", "auto"], [ThriftTransportKind.Buffered, ThriftTransportKind.Framed, ThriftTransportKind.Auto],
            GunicornThriftTransportNames),
        Description = """
            The Thrift transport clients use: buffered, framed or auto.
            auto detects from the first bytes of each connection whether its messages are framed.
            gunicorn_thrift's values are accepted too: thrift.transport.TTransport:TBufferedTransportFactory and
            :TFramedTransportFactory, and thriftpy2's (thriftpy2.transport:TBufferedTransportFactory,
            TCyBufferedTransportFactory, TFramedTransportFactory, TCyFramedTransportFactory).
            """,
    };

    /// <summary>Seconds a connection may stay idle between calls before it is closed; null (or 0) waits forever.</summary>
    public static readonly Setting<double?> ThriftClientTimeout = new("thrift_client_timeout", SettingSection.Thrift)
    {
        Flags = ["--thrift-client-timeout"],
        MetaVar = "SECONDS",
        // Same default as gunicorn_thrift: wait forever.
        Default = null,
        Validator = Validators.Optional(Validators.Seconds),
        Description = """
            Close a client connection that stays idle this many seconds between calls.
            Also bounds each read and write inside a call, so a client that stops in the middle of a message
            is closed too. Unset (or 0) lets idle connections wait forever, as pooled clients expect, but still
            closes a client that stalls inside a message after 30 seconds.
            """,
    };

    /// <summary>Seconds a client may take to send one whole call, from its first byte; 0 disables the limit.</summary>
    public static readonly Setting<double> ThriftMessageTimeout = new("thrift_message_timeout", SettingSection.Thrift)
    {
        Flags = ["--thrift-message-timeout"],
        MetaVar = "SECONDS",
        // Same as the stall limit inside a message (ThriftConnectionOptions.DefaultStallTimeout), itself gunicorn's
        // worker timeout: no honest client needs longer to send one call, and a slowloris client no longer gets more.
        Default = 30,
        Validator = Validators.Seconds,
        Description = """
            Close a client connection that takes longer than this many seconds to send one whole call,
            counted from the call's first byte. thrift_client_timeout bounds each read only, so without this a
            client sending a byte every few seconds would hold its connection forever. Does not count the time
            between calls (thrift_client_timeout) nor the handler's. 0 disables it.
            """,
    };

    public static readonly Setting<bool> ThriftProcessorAsFactory = new("thrift_processor_as_factory", SettingSection.Thrift)
    {
        Flags = ["--thrift-processor-as-factory"],
        Default = false,
        Validator = Validators.Boolean,
        Description = """
            Create a new handler and processor for each connection instead of one per worker.
            For handlers that keep per-connection state. Same meaning as in gunicorn_thrift.
            """,
    };

    public static readonly Setting<int> ThriftMaxFrameSize = new("thrift_max_frame_size", SettingSection.Thrift)
    {
        Flags = ["--thrift-max-frame-size"],
        MetaVar = "BYTES",
        // Apache Thrift's default (TConfiguration.DEFAULT_MAX_FRAME_SIZE), the same in every language.
        Default = 16384000,
        Validator = Validators.PositiveInt,
        Description = """
            The largest frame a client of the framed transport may announce, in bytes.
            A larger frame length closes the connection before anything is allocated for it.
            """,
    };

    public static readonly Setting<int> ThriftMaxMessageSize = new("thrift_max_message_size", SettingSection.Thrift)
    {
        Flags = ["--thrift-max-message-size"],
        MetaVar = "BYTES",
        // Apache Thrift's default (TConfiguration.DEFAULT_MAX_MESSAGE_SIZE), the same in every language.
        Default = 104857600,
        Validator = Validators.PositiveInt,
        Description = """
            The largest message a client may send, in bytes, whatever the transport.
            A string, binary or container length larger than what is left of the message closes the connection
            before anything is allocated for it.
            """,
    };

    public static readonly Setting<int> ThriftRecursionLimit = new("thrift_recursion_limit", SettingSection.Thrift)
    {
        Flags = ["--thrift-recursion-limit"],
        MetaVar = "INT",
        // Apache Thrift's default (TConfiguration.DEFAULT_RECURSION_DEPTH).
        Default = 64,
        Validator = Validators.PositiveInt,
        Description = """
            The deepest nesting of structs, lists, sets and maps a message may have.
            A deeper message closes the connection, so that hostile input cannot exhaust the stack.
            """,
    };

    public static readonly Setting<int> ThriftMaxCollectionSize = new("thrift_max_collection_size", SettingSection.Thrift)
    {
        Flags = ["--thrift-max-collection-size"],
        MetaVar = "INT",
        // Apache Thrift has the same limit, unlimited by default, in C++ (TProtocol container_limit) and Python
        // (container_length_limit). A million: the generated code allocates a collection of the announced size before
        // any element arrives, which for 1M elements is 8 MB (List of references) to ~28 MB (HashSet, Dictionary);
        // 10M empty structs in a 10 MB message grew a worker by 465 MB (issue 11.4), 1M cost a tenth of that.
        Default = 1_000_000,
        Validator = Validators.PositiveInt,
        Description = """
            The most elements one list, set or map of a message may have.
            A larger count closes the connection as soon as it is read, before anything is allocated for it:
            the generated code sizes each collection by the count the client announces, and an empty struct
            costs one byte on the wire but tens in memory.
            """,
    };

    /// <summary>Bytes of estimated message memory a worker's calls may hold at once; 0 for no budget.</summary>
    public static readonly Setting<int> ThriftMessageMemoryBudget = new("thrift_message_memory_budget", SettingSection.Thrift)
    {
        Flags = ["--thrift-message-memory-budget"],
        MetaVar = "BYTES",
        // 256 MiB: two and a half messages of the default max message size of plain values (a list of i32 is charged
        // about its bytes), while an amplifying message (many small structs) stops at 256 MiB, not at gigabytes.
        Default = 268_435_456,
        Validator = Validators.NonNegativeInt,
        Description = """
            How much memory the messages of one worker's calls may hold at once, in bytes.
            Estimated from the collections the messages announce (the collection, plus the objects of its
            elements). A message that would go past it closes its connection. 0: no budget. After a message of
            16 MiB or more, the worker compacts its heap once it is idle, giving the memory back.
            """,
    };

    /// <summary>NAME=path/to/Assembly.dll[:Namespace.Type], NAME a Thrift identifier.</summary>
    // Declared before Services, whose initializer reads it (static fields initialize in textual order).
    private static readonly Validator<string> ServiceSpec = new(
        "NAME=path/to/Assembly.dll[:Namespace.Type]",
        text =>
        {
            int equals = text.IndexOf('=');
            if (equals <= 0 || !ServiceNameRegex().IsMatch(text[..equals]))
                throw new SettingValueException(text, "is not NAME=path/to/Assembly.dll[:Namespace.Type] with NAME a Thrift service name");
            Validators.AppSpec.Parse(text[(equals + 1)..]);
            return text;
        },
        value => value);

    /// <summary>NAME=path/to/Assembly.dll[:Namespace.Type] entries, served multiplexed; empty serves APP alone.</summary>
    public static readonly Setting<IReadOnlyList<string>> Services = new("service", SettingSection.Thrift)
    {
        Flags = ["--service"],
        MetaVar = "NAME=APP",
        Default = [],
        Validator = Validators.ListOf(ServiceSpec),
        Description = """
            Serve several services on one port, multiplexed: NAME=path/to/Assembly.dll[:Namespace.Type].
            Repeat the option for each service; NAME is what clients pass to TMultiplexedProtocol. Without a
            type, the handler class implementing the generated NAME.IAsync interface is used. Calls without a
            service name (plain clients) go to the first service named. Replaces the APP argument.
            """,
    };

    // What the Thrift IDL allows as a service name (an identifier); ':' separates it from the method on the wire.
    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_.]*$")]
    private static partial Regex ServiceNameRegex();
}
