using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Tunicorn.Interop;

namespace Tunicorn.Admin;

/// <summary>
/// The admin endpoint: a small HTTP/1.1 server in the master, one request per connection, GET and HEAD only.
/// Bounded everywhere: the request head (8 KiB, else 431), the time to send it (5 s, else 408), the time to read the
/// answer (10 s) and the connections served at once (16, else 503). Everything else gets a clear 400, 404, 405 or 505.
/// </summary>
/// <remarks>
/// Why not Kestrel: the master is a small process that must stay small and start fast, and ASP.NET Core's shared
/// framework would be loaded for four read-only pages. This server is a few hundred lines on the socket API the
/// master uses anyway; docs/metrics.md says what it answers.
/// </remarks>
internal sealed partial class AdminServer : IAsyncDisposable
{
    private const int MaxHeadBytes = 8192;
    private const int MaxConnections = 16;
    private static readonly TimeSpan HeadTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan WriteTimeout = TimeSpan.FromSeconds(10);
    private static readonly byte[] HeadEnd = "\r\n\r\n"u8.ToArray();

    private readonly Socket _listener;
    private readonly Func<AdminRequestHead, CancellationToken, Task<AdminResponse>> _route;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private int _serving;

    private AdminServer(Socket listener, Func<AdminRequestHead, CancellationToken, Task<AdminResponse>> route, ILogger log)
    {
        _listener = listener;
        _route = route;
        _log = log;
        Address = listener.LocalEndPoint switch
        {
            IPEndPoint { AddressFamily: AddressFamily.InterNetworkV6 } ip => $"[{ip.Address}]:{ip.Port}",
            var other => other?.ToString() ?? "?",
        };
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>Where it listens, e.g. 127.0.0.1:9191 (the port chosen when the setting said 0).</summary>
    public string Address { get; }

    /// <summary>Binds <paramref name="endPoint"/> and serves; throws <see cref="SocketException"/> when it cannot bind.</summary>
    public static AdminServer Start(IPEndPoint endPoint, Func<AdminRequestHead, CancellationToken, Task<AdminResponse>> route, ILogger log)
    {
        var listener = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // SO_REUSEADDR alone (PLATFORM-NOTES: .NET's ReuseAddress sets SO_REUSEPORT too): a restart binds while
            // the previous master's closed connections are in TIME_WAIT.
            SocketOptions.SetReuseAddress(listener);
            listener.Bind(endPoint);
            listener.Listen(64);
        }
        catch
        {
            listener.Dispose();
            throw;
        }
        var server = new AdminServer(listener, route, log);
        Listening(log, server.Address);
        return server;
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionAborted or SocketError.ConnectionReset or SocketError.Interrupted
                or SocketError.TooManyOpenSockets)
            {
                continue;
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                if (!_stop.IsCancellationRequested)
                    AcceptFailed(_log, e.Message);
                return;
            }
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(Socket client)
    {
        bool counted = Interlocked.Increment(ref _serving) <= MaxConnections;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            timeout.CancelAfter(HeadTimeout);
            var (head, response) = counted
                ? await ReadRequestAsync(client, timeout.Token)
                : (null, AdminResponse.Text(503, $"more than {MaxConnections} admin requests at once; retry\n"));
            if (response is null && head is not null)
            {
                try
                {
                    response = await _route(head, _stop.Token);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    RouteFailed(_log, head.Path, e);
                    response = AdminResponse.Text(500, "the admin endpoint failed to answer; the master's log says why\n");
                }
            }
            if (response is not null)
            {
                timeout.CancelAfter(WriteTimeout);
                await WriteAsync(client, response, headOnly: head?.Method == "HEAD", timeout.Token);
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            // The client went away or was too slow: nothing to answer.
        }
        finally
        {
            Interlocked.Decrement(ref _serving);
            try
            {
                client.Shutdown(SocketShutdown.Send);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
            }
            client.Dispose();
        }
    }

    /// <summary>Reads up to the end of the request head: the head, or the error response to send instead (null: just close).</summary>
    private static async Task<(AdminRequestHead? Head, AdminResponse? Error)> ReadRequestAsync(Socket client, CancellationToken token)
    {
        byte[] buffer = new byte[MaxHeadBytes];
        int length = 0;
        while (true)
        {
            int end = buffer.AsSpan(0, length).IndexOf(HeadEnd);
            if (end >= 0)
            {
                var head = AdminRequestHead.Parse(buffer.AsSpan(0, end), out int status, out string reason);
                return head is null ? (null, AdminResponse.Text(status, reason + "\n")) : (head, null);
            }
            if (length == buffer.Length)
                return (null, AdminResponse.Text(431, $"the request head is larger than {MaxHeadBytes} bytes\n"));
            int read;
            try
            {
                read = await client.ReceiveAsync(buffer.AsMemory(length), token);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return length == 0 ? (null, null) : (null, AdminResponse.Text(408, $"the request head did not arrive within {HeadTimeout.TotalSeconds:0} s\n"));
            }
            if (read == 0)
                return (null, null);
            length += read;
        }
    }

    private static async Task WriteAsync(Socket client, AdminResponse response, bool headOnly, CancellationToken token)
    {
        var head = new StringBuilder();
        head.Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {response.Status} {AdminResponse.ReasonPhrase(response.Status)}\r\n");
        head.Append("Content-Type: ").Append(response.ContentType).Append("\r\n");
        head.Append(CultureInfo.InvariantCulture, $"Content-Length: {response.Body.Length}\r\n");
        head.Append("Cache-Control: no-store\r\n");
        head.Append("Connection: close\r\n");
        foreach (string line in response.Headers)
            head.Append(line).Append("\r\n");
        head.Append("\r\n");
        await client.SendAsync(Encoding.ASCII.GetBytes(head.ToString()), token);
        if (!headOnly && response.Body.Length > 0)
            await client.SendAsync(response.Body, token);
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Dispose();
        try
        {
            await _acceptLoop;
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
        _stop.Dispose();
    }
}
