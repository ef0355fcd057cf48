using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Tunicorn.Config;
using Tunicorn.Interop;
using Tunicorn.Systemd;

namespace Tunicorn.Master;

/// <summary>
/// The listening sockets, created once by the master and inherited by every worker: all workers accept from
/// the same kernel queue, so a dying worker loses no queued connection. Kept close-on-exec except while a
/// worker is being started (PLATFORM-NOTES).
/// </summary>
internal sealed class ListenerSet : IDisposable
{
    private readonly List<Listener> _listeners;

    private ListenerSet(List<Listener> listeners) => _listeners = listeners;

    public IReadOnlyList<Socket> Sockets => _listeners.Select(l => l.Socket).ToArray();

    public IReadOnlyList<int> Descriptors => _listeners.Select(l => FileDescriptors.DescriptorOf(l.Socket)).ToArray();

    /// <summary>The bound addresses as an operator reads them: "127.0.0.1:9090", "[::1]:9090", "unix:/run/x.sock".</summary>
    public IReadOnlyList<string> Names => _listeners.Select(l => l.Name).ToArray();

    public IReadOnlyList<string> Binds => _listeners.Select(l => l.Bind).ToArray();

    /// <summary>
    /// Binds every address; on any failure closes what was opened and throws a <see cref="BindException"/>. The sockets
    /// systemd passed (<paramref name="activated"/>) are listeners too, and an address one of them serves is not bound again.
    /// </summary>
    public static ListenerSet Bind(IReadOnlyList<string> binds, int backlog, bool reusePort, IReadOnlyList<ActivatedSocket>? activated = null) =>
        Reconcile(activated is { Count: > 0 } ? Adopt(activated) : null, binds, backlog, reusePort);

    /// <summary>
    /// <see cref="Bind"/>, tried again while an address is in use, up to <paramref name="tries"/> times with
    /// <paramref name="pause"/> between tries: gunicorn's start-up rule (5 tries, 1 s apart), so that a master
    /// restarted right after its predecessor waits for the port instead of failing at once.
    /// </summary>
    /// <param name="inUse">Called after each failed try that will be retried, with the failure and the try number.</param>
    public static async Task<ListenerSet> BindAsync(IReadOnlyList<string> binds, int backlog, bool reusePort, int tries, TimeSpan pause,
        Action<BindException, int> inUse, CancellationToken cancellationToken = default, IReadOnlyList<ActivatedSocket>? activated = null)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return Bind(binds, backlog, reusePort, activated);
            }
            catch (BindException e) when (e.InUse && attempt < tries)
            {
                inUse(e, attempt);
            }
            await Task.Delay(pause, cancellationToken);
        }
    }

    /// <summary>
    /// The listeners for <paramref name="binds"/>, reusing the sockets of <paramref name="current"/> that are
    /// bound to the same address (a HUP keeps its port and its queued connections) and binding the rest.
    /// The sockets systemd passed stay, whatever <paramref name="binds"/> says: systemd owns them and would not pass them
    /// again. With them, the default bind is not bound: it stands for "bind not set", and systemd said where to listen.
    /// </summary>
    public static ListenerSet Reconcile(ListenerSet? current, IReadOnlyList<string> binds, int backlog, bool reusePort)
    {
        var result = new List<Listener>();
        var activated = current?._listeners.Where(l => l.Activated).ToList() ?? [];
        if (activated.Count > 0 && binds.SequenceEqual(ServerSettings.Bind.Default!))
            binds = [];
        try
        {
            foreach (string bind in binds.Distinct(StringComparer.Ordinal))
            {
                Listener? existing = current?._listeners.FirstOrDefault(l => l.Bind == bind)
                    ?? activated.FirstOrDefault(l => l.Serves(bind));
                if (existing is null)
                    result.Add(Open(bind, backlog, reusePort));
                else if (!result.Contains(existing))
                    result.Add(existing);
            }
            result.AddRange(activated.Where(l => !result.Contains(l)));
        }
        catch
        {
            foreach (var l in result.Where(l => current?._listeners.Contains(l) != true))
                l.Close();
            throw;
        }
        return new ListenerSet(result);
    }

    /// <summary>
    /// Set while another master (binary upgrade) listens on the same sockets: closing them then leaves their Unix socket
    /// files, which are that master's too.
    /// </summary>
    public bool SocketFilesShared { get; set; }

    /// <summary>Closes the listeners of this set that <paramref name="successor"/> does not keep.</summary>
    public void CloseExcept(ListenerSet? successor)
    {
        foreach (var l in _listeners.Where(l => successor?._listeners.Contains(l) != true))
            l.Close(removeFile: !SocketFilesShared);
    }

    /// <summary>Clears close-on-exec while <paramref name="start"/> runs, so the started process inherits the listeners.</summary>
    public T WithInheritable<T>(Func<T> start)
    {
        var fds = Descriptors;
        foreach (int fd in fds)
            FileDescriptors.SetCloseOnExec(fd, false);
        try
        {
            return start();
        }
        finally
        {
            foreach (int fd in fds)
                FileDescriptors.SetCloseOnExec(fd, true);
        }
    }

    public void Dispose() => CloseExcept(null);

    /// <summary>The sockets systemd passed, as listeners named by their addresses (so that a bind spelled the same matches).</summary>
    private static ListenerSet Adopt(IReadOnlyList<ActivatedSocket> activated) =>
        new(activated.Select(a => new Listener(Describe(a.Socket), Describe(a.Socket), a.Socket, null) { Activated = true }).ToList());

    private static Listener Open(string bind, int backlog, bool reusePort)
    {
        if (bind.StartsWith("fd://", StringComparison.Ordinal))
        {
            int fd = int.Parse(bind.AsSpan(5), CultureInfo.InvariantCulture);
            var inherited = FileDescriptors.FromDescriptor(fd);
            FileDescriptors.SetCloseOnExec(fd, true);
            return new Listener(bind, Describe(inherited), inherited, null);
        }

        if (bind.StartsWith("unix:", StringComparison.Ordinal))
            return OpenUnix(bind, backlog);

        IPEndPoint endPoint = ResolveEndPoint(bind);
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // SO_REUSEADDR only: PLATFORM-NOTES, .NET's ReuseAddress option would set SO_REUSEPORT too.
            SocketOptions.SetReuseAddress(socket);
            if (reusePort)
                SocketOptions.SetReusePort(socket);
            if (endPoint.AddressFamily == AddressFamily.InterNetworkV6)
                socket.DualMode = endPoint.Address.Equals(IPAddress.IPv6Any);
            socket.NoDelay = true;
            socket.Bind(endPoint);
            socket.Listen(backlog);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw e.SocketErrorCode == SocketError.AddressAlreadyInUse
                ? new BindException(bind, "address already in use (another process listens on it; reuse_port lets several servers share a port on purpose)", inUse: true, e)
                : new BindException(bind, e.Message, inner: e);
        }
        catch (InteropException e)
        {
            socket.Dispose();
            throw new BindException(bind, e.Message, inner: e);
        }
        return new Listener(bind, Describe(socket), socket, null);
    }

    private static Listener OpenUnix(string bind, int backlog)
    {
        string path = Path.GetFullPath(bind[5..]);
        string? folder = Path.GetDirectoryName(path);
        if (folder is not null && !Directory.Exists(folder))
            throw new BindException(bind, $"the directory {folder} does not exist");
        RemoveStaleSocketFile(bind, path);
        var unix = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            unix.Bind(new UnixDomainSocketEndPoint(path));
            unix.Listen(backlog);
        }
        catch (SocketException e)
        {
            unix.Dispose();
            throw e.SocketErrorCode == SocketError.AddressAlreadyInUse
                ? new BindException(bind, $"{path} appeared while binding (another process is binding it)", inUse: false, e)
                : new BindException(bind, e.SocketErrorCode == SocketError.AccessDenied ? $"permission denied in {folder}" : e.Message, inner: e);
        }
        return new Listener(bind, "unix:" + path, unix, path);
    }

    /// <summary><see cref="ParseEndPoint"/> with the failure named as a bind failure (the host, the address, why).</summary>
    private static IPEndPoint ResolveEndPoint(string bind)
    {
        try
        {
            return ParseEndPoint(bind);
        }
        catch (FormatException e)
        {
            throw new BindException(bind, e.Message, inner: e);
        }
        catch (SocketException e)
        {
            throw new BindException(bind, $"the host '{HostOf(bind)}' does not resolve ({e.Message})", inner: e);
        }
    }

    private static string HostOf(string bind) => bind[..Math.Max(0, bind.LastIndexOf(':'))].Trim('[', ']');

    /// <summary>Parses HOST:PORT, [V6]:PORT, or a host name resolved to its first address (localhost → loopback).</summary>
    public static IPEndPoint ParseEndPoint(string bind)
    {
        int colon = bind.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(bind.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port > 65535)
            throw new FormatException($"'{bind}' is not HOST:PORT");
        string host = bind[..colon].Trim('[', ']');
        if (host.Length == 0)
            return new IPEndPoint(IPAddress.Any, port);
        if (IPAddress.TryParse(host, out var address))
            return new IPEndPoint(address, port);
        var resolved = Dns.GetHostAddresses(host);
        if (resolved.Length == 0)
            throw new FormatException($"the host '{host}' resolves to no address");
        return new IPEndPoint(resolved.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? resolved[0], port);
    }

    private static string Describe(Socket socket) => socket.LocalEndPoint switch
    {
        IPEndPoint ip when ip.AddressFamily == AddressFamily.InterNetworkV6 => $"[{ip.Address}]:{ip.Port}",
        IPEndPoint ip => $"{ip.Address}:{ip.Port}",
        UnixDomainSocketEndPoint unix => "unix:" + unix,
        var other => other?.ToString() ?? "?",
    };

    /// <summary>
    /// Makes room for a Unix socket at <paramref name="path"/>: a socket nobody answers on (left by a master that
    /// died) is removed; a live socket, and anything that is not a socket (a file, a directory, a symbolic link), is
    /// refused and left as it is: the path may be a typo for something valuable.
    /// </summary>
    private static void RemoveStaleSocketFile(string bind, string path)
    {
        FileKind kind;
        try
        {
            kind = FileKinds.Of(path);
        }
        catch (InteropException e)
        {
            throw new BindException(bind, e.Message, inner: e);
        }
        switch (kind)
        {
            case FileKind.Missing:
                return;
            case FileKind.Socket:
                break;
            default:
                throw new BindException(bind, $"{path} is {Article(kind)}, not a socket; tunicorn replaces only a stale socket (remove it or choose another path)");
        }
        // Refuse to steal a socket someone still listens on; remove it only when nobody answers.
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(path));
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            File.Delete(path);
            return;
        }
        catch (SocketException e)
        {
            throw new BindException(bind, $"cannot tell whether the socket {path} is in use: {e.Message}", inner: e);
        }
        throw new BindException(bind, "another process is listening on it", inUse: true);
    }

    private static string Article(FileKind kind) => kind switch
    {
        FileKind.RegularFile => "a regular file",
        FileKind.Directory => "a directory",
        FileKind.SymbolicLink => "a symbolic link",
        _ => "a special file",
    };

    private static bool IsSocket(string path)
    {
        try
        {
            return FileKinds.Of(path) == FileKind.Socket;
        }
        catch (InteropException)
        {
            return false;
        }
    }

    private sealed class Listener(string bind, string name, Socket socket, string? unixPath)
    {
        public string Bind { get; } = bind;
        public string Name { get; } = name;
        public Socket Socket { get; } = socket;

        /// <summary>Passed by systemd: kept across reloads, and its socket file (if any) belongs to systemd.</summary>
        public bool Activated { get; init; }

        /// <summary>Whether <paramref name="bind"/>, however spelled, names this listener's address.</summary>
        public bool Serves(string bind)
        {
            if (bind.StartsWith("unix:", StringComparison.Ordinal))
                return Name == "unix:" + Path.GetFullPath(bind[5..]);
            if (bind.StartsWith("fd://", StringComparison.Ordinal))
                return bind[5..] == FileDescriptors.DescriptorOf(Socket).ToString(CultureInfo.InvariantCulture);
            try
            {
                return Socket.LocalEndPoint is IPEndPoint local && ParseEndPoint(bind).Equals(local);
            }
            catch (Exception e) when (e is FormatException or SocketException)
            {
                return false; // not an address this socket can have; binding it reports why
            }
        }

        public void Close(bool removeFile = true)
        {
            if (!removeFile && unixPath is not null)
            {
                // Socket.Dispose unlinks the file of a Unix socket it bound itself (measured, .NET 10), which another
                // master still serves: the descriptor alone is closed, and the finalizer, which would dispose, skipped.
                Socket.SafeHandle.Dispose();
                GC.SuppressFinalize(Socket);
                return;
            }
            Socket.Dispose();
            // Only our socket: whatever else stands at the path now is someone else's.
            if (removeFile && unixPath is not null && IsSocket(unixPath))
            {
                try { File.Delete(unixPath); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            }
        }
    }
}
