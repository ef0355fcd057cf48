using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Tunicorn.Interop;

namespace Tunicorn.Master;

/// <summary>
/// The listening sockets, created once by the master and inherited by every worker: all workers accept from
/// the same kernel queue, so a dying worker loses no queued connection. Kept close-on-exec except while a
/// worker is being started (PLATFORM-NOTES).
/// </summary>
public sealed class ListenerSet : IDisposable
{
    private readonly List<Listener> _listeners;

    private ListenerSet(List<Listener> listeners) => _listeners = listeners;

    public IReadOnlyList<Socket> Sockets => _listeners.Select(l => l.Socket).ToArray();

    public IReadOnlyList<int> Descriptors => _listeners.Select(l => FileDescriptors.DescriptorOf(l.Socket)).ToArray();

    /// <summary>The bound addresses as an operator reads them: "127.0.0.1:9090", "[::1]:9090", "unix:/run/x.sock".</summary>
    public IReadOnlyList<string> Names => _listeners.Select(l => l.Name).ToArray();

    public IReadOnlyList<string> Binds => _listeners.Select(l => l.Bind).ToArray();

    /// <summary>Binds every address; on any failure closes what was opened and throws with the address named.</summary>
    public static ListenerSet Bind(IReadOnlyList<string> binds, int backlog, bool reusePort) =>
        Reconcile(null, binds, backlog, reusePort);

    /// <summary>
    /// The listeners for <paramref name="binds"/>, reusing the sockets of <paramref name="current"/> that are
    /// bound to the same address (a HUP keeps its port and its queued connections) and binding the rest.
    /// </summary>
    public static ListenerSet Reconcile(ListenerSet? current, IReadOnlyList<string> binds, int backlog, bool reusePort)
    {
        var result = new List<Listener>();
        try
        {
            foreach (string bind in binds.Distinct(StringComparer.Ordinal))
            {
                Listener? existing = current?._listeners.FirstOrDefault(l => l.Bind == bind);
                result.Add(existing ?? Open(bind, backlog, reusePort));
            }
        }
        catch
        {
            foreach (var l in result.Where(l => current?._listeners.Contains(l) != true))
                l.Close();
            throw;
        }
        return new ListenerSet(result);
    }

    /// <summary>Closes the listeners of this set that <paramref name="successor"/> does not keep.</summary>
    public void CloseExcept(ListenerSet? successor)
    {
        foreach (var l in _listeners.Where(l => successor?._listeners.Contains(l) != true))
            l.Close();
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
        {
            string path = Path.GetFullPath(bind[5..]);
            RemoveStaleSocketFile(path);
            var unix = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                unix.Bind(new UnixDomainSocketEndPoint(path));
                unix.Listen(backlog);
            }
            catch (SocketException e)
            {
                unix.Dispose();
                throw new IOException($"cannot bind {bind}: {e.Message}", e);
            }
            return new Listener(bind, "unix:" + path, unix, path);
        }

        IPEndPoint endPoint = ParseEndPoint(bind);
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            if (reusePort)
                socket.SetRawSocketOption(1 /* SOL_SOCKET */, 15 /* SO_REUSEPORT */, BitConverter.GetBytes(1));
            if (endPoint.AddressFamily == AddressFamily.InterNetworkV6)
                socket.DualMode = endPoint.Address.Equals(IPAddress.IPv6Any);
            socket.NoDelay = true;
            socket.Bind(endPoint);
            socket.Listen(backlog);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new IOException($"cannot bind {bind}: {e.Message}", e);
        }
        return new Listener(bind, Describe(socket), socket, null);
    }

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
            throw new FormatException($"'{host}' does not resolve");
        return new IPEndPoint(resolved.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? resolved[0], port);
    }

    private static string Describe(Socket socket) => socket.LocalEndPoint switch
    {
        IPEndPoint ip when ip.AddressFamily == AddressFamily.InterNetworkV6 => $"[{ip.Address}]:{ip.Port}",
        IPEndPoint ip => $"{ip.Address}:{ip.Port}",
        UnixDomainSocketEndPoint unix => "unix:" + unix,
        var other => other?.ToString() ?? "?",
    };

    private static void RemoveStaleSocketFile(string path)
    {
        if (!File.Exists(path))
            return;
        // Refuse to steal a socket someone still listens on; remove it only when nobody answers.
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(path));
        }
        catch (SocketException)
        {
            File.Delete(path);
            return;
        }
        throw new IOException($"cannot bind unix:{path}: another process is listening on it");
    }

    private sealed class Listener(string bind, string name, Socket socket, string? unixPath)
    {
        public string Bind { get; } = bind;
        public string Name { get; } = name;
        public Socket Socket { get; } = socket;

        public void Close()
        {
            Socket.Dispose();
            if (unixPath is not null)
            {
                try { File.Delete(unixPath); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            }
        }
    }
}
