namespace Tunicorn.Config;

/// <summary>Settings of the listening sockets, which the master owns and the workers inherit.</summary>
internal static class ServerSettings
{
    public static readonly Setting<IReadOnlyList<string>> Bind = new("bind", SettingSection.Server)
    {
        Flags = ["-b", "--bind"],
        MetaVar = "ADDRESS",
        // Thrift's conventional port (the Apache Thrift tutorial and test servers use 9090).
        Default = ["127.0.0.1:9090"],
        // With nothing to listen on the master could only idle; say so instead.
        Validator = Validators.ListOf(Validators.Address, allowEmpty: false),
        Description = """
            The socket to bind: HOST:PORT, [IPV6]:PORT, unix:PATH or fd://N.
            Repeat the option to listen on several sockets; the last source that sets bind replaces the whole
            list. fd://N uses an already open listening socket (for example one handed over by a supervisor).
            A host without a port is an error rather than a guess. Port 0 asks the kernel for a free port.
            An existing file at a unix:PATH is replaced only when it is a socket nobody listens on (left by a
            master that died); a live socket, a regular file, a directory or a symbolic link is refused.
            """,
    };

    public static readonly Setting<int> Backlog = new("backlog", SettingSection.Server)
    {
        Flags = ["--backlog"],
        MetaVar = "INT",
        // Same default as gunicorn; the kernel caps it at net.core.somaxconn.
        Default = 2048,
        Validator = Validators.PositiveInt,
        Description = """
            The number of pending connections the kernel queues per listening socket.
            Same default as gunicorn. Linux caps it at net.core.somaxconn.
            """,
    };

    public static readonly Setting<bool> ReusePort = new("reuse_port", SettingSection.Server)
    {
        Flags = ["--reuse-port"],
        Default = false,
        Validator = Validators.Boolean,
        Description = """
            Set SO_REUSEPORT on the listening sockets, so that another process can bind the same port too.
            Workers still accept from the one socket the master created, so a dying worker loses no queued
            connection. Unset, an address in use is tried 5 times, 1 s apart (as gunicorn does), then tunicorn
            exits with status 1.
            """,
    };

    public static readonly Setting<bool> ProxyProtocol = new("proxy_protocol", SettingSection.Server)
    {
        Flags = ["--proxy-protocol"],
        // gunicorn's name and default.
        Default = false,
        Validator = Validators.Boolean,
        Description = """
            Expect HAProxy's PROXY protocol (version 1 or 2) on connections from proxy_allow_ips.
            Each such connection must start with a PROXY header (HAProxy's send-proxy or send-proxy-v2, an AWS
            NLB or any load balancer speaking it), before TLS and before any Thrift byte; the client address it
            carries is the connection's peer in the logs, the access log's %(h)s, hooks and call contexts. A
            missing, malformed or late header (thrift_client_timeout, else 10 s) closes the connection with a
            logged reason. Connections from other addresses are served as they are, with no header expected:
            only proxy_allow_ips is trusted to name clients. Unlike gunicorn, the header is required from
            allowed addresses, as the PROXY protocol spec asks (a receiver must not guess).
            """,
    };

    /// <summary>"*", IP addresses and CIDR networks, comma-separated in one value as gunicorn writes them.</summary>
    // Declared before ProxyAllowIps, whose initializer reads it (static fields initialize in textual order).
    private static readonly Validator<IReadOnlyList<string>> ProxyAllowEntries = new(
        "list of IP addresses, CIDR networks or *",
        text =>
        {
            string[] entries = text.Split(',', StringSplitOptions.TrimEntries);
            foreach (string entry in entries)
            {
                try
                {
                    Tunicorn.Thrift.ProxyProtocol.ProxyAllowList.ParseEntry(entry);
                }
                catch (FormatException e)
                {
                    throw new SettingValueException(text, entries.Length == 1 ? e.Message : $"has the entry '{entry}', which {e.Message}");
                }
            }
            return entries;
        },
        values => string.Join(",", values),
        isList: true);

    /// <summary>IP addresses, CIDR networks or "*": the peers whose connections start with a PROXY header.</summary>
    public static readonly Setting<IReadOnlyList<string>> ProxyAllowIps = new("proxy_allow_ips", SettingSection.Server)
    {
        // gunicorn's flag, name and default: the proxy runs on the same machine.
        Flags = ["--proxy-allow-from"],
        MetaVar = "ADDRESSES",
        Default = ["127.0.0.1", "::1"],
        Validator = ProxyAllowEntries,
        Description = """
            The addresses whose connections must start with a PROXY header when proxy_protocol is on.
            Comma-separated IP addresses or CIDR networks (10.0.0.0/8, fd00::/8), or * for every peer; the
            option may also be repeated. Connections over a Unix socket are always trusted, as in gunicorn.
            Set * only when no client can reach the port except through the proxy.
            """,
    };
}
