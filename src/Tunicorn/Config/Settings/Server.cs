namespace Tunicorn.Config;

/// <summary>Settings of the listening sockets, which the master owns and the workers inherit.</summary>
public static class ServerSettings
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
}
