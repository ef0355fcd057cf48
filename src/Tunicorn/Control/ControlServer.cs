using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Tunicorn.Interop;

namespace Tunicorn.Control;

/// <summary>
/// The master's control socket: accepts clients, checks who they are, reads one request line and writes one reply. Every
/// accept, read and write runs on tasks of its own; the arbiter only sees a request once it is read and checked (posted to
/// its loop by <see cref="ControlAnswer"/>), so a slow, silent or hostile client cannot hold the loop. Created once at
/// start (a reload keeps it); disposed at exit, which removes the socket file.
/// </summary>
internal sealed partial class ControlServer : IDisposable
{
    /// <summary>A request is a short JSON object; anything longer is refused before it is parsed.</summary>
    internal const int MaxRequestBytes = 4096;

    /// <summary>How long a client has to send its request line once connected.</summary>
    internal static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(5);

    /// <summary>How long the reply may take: the loop passes every second, so a longer wait means it is stuck (a long reload load).</summary>
    internal static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(15);

    /// <summary>Clients served at once; one more is told the server is busy. Bounds the tasks and sockets clients can make.</summary>
    internal const int MaxClients = 16;

    private readonly Socket _listener;
    private string _path;
    private readonly ControlAnswer _answer;
    private readonly ILogger _log;
    private readonly uint _ownUid = PeerCredentials.OwnUid;
    private readonly CancellationTokenSource _stop = new();
    /// <summary>The accept loop; it ends when <see cref="Dispose"/> cancels its accept.</summary>
    private readonly Task _accepting;
    private int _clients;

    private ControlServer(Socket listener, string path, ControlAnswer answer, ILogger log)
    {
        _listener = listener;
        _path = path;
        _answer = answer;
        _log = log;
        _accepting = AcceptAsync();
    }

    public string Path => _path;

    /// <summary>Binds the socket at <paramref name="path"/>; on failure logs one warning and returns null: the server serves on without it.</summary>
    public static ControlServer? TryStart(string path, int mode, ControlAnswer answer, ILogger log)
    {
        Socket? socket = null;
        try
        {
            RemoveStale(path);
            socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            socket.Bind(new UnixDomainSocketEndPoint(path));
            if (!OperatingSystem.IsWindows()) // always true: Tunicorn runs on Linux; the analyzer wants it said
                File.SetUnixFileMode(path, (UnixFileMode)mode);
            // The kernel's default backlog, not MaxClients: connections past the cap are told "busy" once accepted, while a
            // full backlog fails a client's connect with EAGAIN, a reason it cannot act on (seen when 18 clients connect at once).
            socket.Listen();
            var server = new ControlServer(socket, path, answer, log);
            Serving(log, path, "0" + Convert.ToString(mode, 8));
            return server;
        }
        catch (Exception e) when (e is SocketException or IOException or UnauthorizedAccessException or ArgumentException or InteropException)
        {
            socket?.Dispose();
            NotCreated(log, path, e.Message);
            return null;
        }
    }

    /// <summary>A socket file nobody listens on (its master was killed) is removed; a live one is left alone.</summary>
    private static void RemoveStale(string path)
    {
        if (FileKinds.Of(path) == FileKind.Missing)
            return;
        if (FileKinds.Of(path) != FileKind.Socket)
            throw new IOException("the path exists and is not a socket");
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
        throw new IOException("another server listens on it");
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                AcceptFailed(_log, e.Message);
                continue; // EMFILE and the like pass; the next accept may succeed
            }
            if (Interlocked.Increment(ref _clients) > MaxClients)
            {
                Interlocked.Decrement(ref _clients);
                _ = RefuseBusyAsync(client);
                continue;
            }
            _ = ServeAsync(client);
        }
    }

    private async Task RefuseBusyAsync(Socket client)
    {
        using (client)
        {
            TooManyClients(_log, MaxClients);
            await TryReplyAsync(client, ControlReply.Failed($"server busy: {MaxClients} control clients are already connected"));
        }
    }

    private async Task ServeAsync(Socket client)
    {
        try
        {
            using (client)
                await ServeClientAsync(client);
        }
        catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            ClientFailed(_log, e.Message); // the client went away; nothing of the server's is at stake
        }
        finally
        {
            Interlocked.Decrement(ref _clients);
        }
    }

    private async Task ServeClientAsync(Socket client)
    {
        var peer = PeerCredentials.Of(client);
        bool allowed = peer.Uid == _ownUid || peer.Uid == 0;
        using var read = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        read.CancelAfter(ReadTimeout);
        byte[] buffer = new byte[MaxRequestBytes + 1];
        int length;
        try
        {
            length = await ReadLineAsync(client, buffer, read.Token);
        }
        catch (OperationCanceledException) when (!_stop.IsCancellationRequested && allowed)
        {
            InvalidRequest(_log, peer.Pid, $"no request line within {ReadTimeout.TotalSeconds:0}s");
            await TryReplyAsync(client, ControlReply.Failed($"no request line within {ReadTimeout.TotalSeconds:0}s"));
            return;
        }
        catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
        {
            length = 0;
        }
        if (!allowed)
        {
            // Refused once its request is read (it is never parsed): closing with unread bytes would reset the
            // connection, and the client would lose the reply that says why.
            Refused(_log, peer.Uid, peer.Pid, _ownUid);
            await TryReplyAsync(client, ControlReply.Failed($"permission denied: uid {peer.Uid} is neither the server's user (uid {_ownUid}) nor root"));
            return;
        }
        if (length < 0)
        {
            InvalidRequest(_log, peer.Pid, $"longer than {MaxRequestBytes} bytes");
            await TryReplyAsync(client, ControlReply.Failed($"request longer than {MaxRequestBytes} bytes"));
            return;
        }
        var request = ControlRequestParser.Parse(buffer.AsSpan(0, length), out string? error);
        if (request is null)
        {
            InvalidRequest(_log, peer.Pid, error!);
            await TryReplyAsync(client, ControlReply.Failed(error!));
            return;
        }
        ControlReply reply;
        try
        {
            reply = await _answer(request, peer.Pid).WaitAsync(AnswerTimeout, _stop.Token);
        }
        catch (TimeoutException)
        {
            reply = ControlReply.Failed($"server busy: the master did not answer within {AnswerTimeout.TotalSeconds:0}s");
        }
        if (reply.Workers is { } workers)
            reply = reply with { Workers = workers.Select(w => w with { RssBytes = ProcessMemory.ResidentBytes(w.Pid) }).ToList() };
        await TryReplyAsync(client, reply);
    }

    /// <summary>Reads up to the first newline (or the end of the stream); -1 when no line ends within <see cref="MaxRequestBytes"/>.</summary>
    private static async Task<int> ReadLineAsync(Socket client, byte[] buffer, CancellationToken cancel)
    {
        int length = 0;
        while (length < buffer.Length)
        {
            int n = await client.ReceiveAsync(buffer.AsMemory(length), SocketFlags.None, cancel);
            if (n == 0)
                return length;
            int newline = Array.IndexOf(buffer, (byte)'\n', length, n);
            if (newline >= 0)
                return newline;
            length += n;
        }
        return -1;
    }

    private async Task TryReplyAsync(Socket client, ControlReply reply)
    {
        byte[] bytes = [.. JsonSerializer.SerializeToUtf8Bytes(reply, ControlJsonContext.Default.ControlReply), (byte)'\n'];
        using var write = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        write.CancelAfter(ReadTimeout); // a client that does not read must not keep its task and socket
        try
        {
            int sent = 0;
            while (sent < bytes.Length)
                sent += await client.SendAsync(bytes.AsMemory(sent), SocketFlags.None, write.Token);
            client.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            ClientFailed(_log, e.Message);
        }
    }

    /// <summary>
    /// Renames the socket file to <paramref name="path"/> (a binary upgrade: the old master's moves to PATH.2 so that the new
    /// master can serve PATH, and back). A socket is reached through its file's inode, so clients that connect by the new
    /// name reach this server. On failure logs one warning and keeps the old name.
    /// </summary>
    public bool TryMoveTo(string path)
    {
        try
        {
            RemoveStale(path);
            File.Move(_path, path);
            _path = path;
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InteropException)
        {
            NotMoved(_log, _path, path, e.Message);
            return false;
        }
    }

    /// <summary>Stops accepting, ends the clients' tasks and removes the socket file.</summary>
    public void Dispose()
    {
        if (_stop.IsCancellationRequested)
            return;
        _stop.Cancel();
        _listener.Dispose();
        try
        {
            File.Delete(_path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            NotRemoved(_log, _path, e.Message);
        }
    }
}

/// <summary>Posts a checked request to the arbiter's loop; the task completes with the reply the loop built.</summary>
internal delegate Task<ControlReply> ControlAnswer(ControlRequest request, int clientPid);
