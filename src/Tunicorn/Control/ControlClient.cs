using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Tunicorn.Control;

/// <summary>The client end of the control socket: one request, one reply, with clear reasons when the server cannot be reached.</summary>
internal static class ControlClient
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Longer than the server's own wait for its loop, so that its "server busy" reply arrives first.</summary>
    private static readonly TimeSpan ReplyTimeout = ControlServer.AnswerTimeout + TimeSpan.FromSeconds(5);

    /// <summary>Sends <paramref name="request"/> and returns the reply line as received and parsed.</summary>
    /// <exception cref="ControlUnreachableException">No server, permission denied, or no reply in time.</exception>
    public static async Task<(string Line, ControlReply Reply)> AskAsync(string path, ControlRequest request)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        using (var connect = new CancellationTokenSource(ConnectTimeout))
        {
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), connect.Token);
            }
            catch (SocketException e)
            {
                throw new ControlUnreachableException(e.SocketErrorCode switch
                {
                    SocketError.AddressNotAvailable or SocketError.ConnectionRefused =>
                        $"no server listens on {path} (its master is gone; the file is left over)",
                    SocketError.AccessDenied => $"permission denied: {path} (only the server's user and root may use it)",
                    SocketError.TryAgain or SocketError.WouldBlock => $"server busy: the connection queue of {path} is full",
                    _ when !File.Exists(path) => $"no server: {path} does not exist",
                    _ => $"cannot connect to {path}: {e.Message}",
                });
            }
            catch (OperationCanceledException)
            {
                throw new ControlUnreachableException($"server busy: no connection to {path} within {ConnectTimeout.TotalSeconds:0}s");
            }
        }
        byte[] line = [.. JsonSerializer.SerializeToUtf8Bytes(request, ControlJsonContext.Default.ControlRequest), (byte)'\n'];
        using var reply = new CancellationTokenSource(ReplyTimeout);
        try
        {
            try
            {
                await socket.SendAsync(line, SocketFlags.None, reply.Token);
            }
            catch (SocketException)
            {
                // The server may have answered and closed already (a refusal): its reply is still to be read.
            }
            var received = new MemoryStream();
            byte[] buffer = new byte[64 * 1024];
            while (true)
            {
                int n;
                try
                {
                    n = await socket.ReceiveAsync(buffer, SocketFlags.None, reply.Token);
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset && EndsALine(received))
                {
                    // A refusal ("server busy") closes before reading our request; the kernel then resets the connection
                    // after the reply it queued for us, which is whole.
                    break;
                }
                if (n == 0)
                    break;
                received.Write(buffer, 0, n);
            }
            string text = Encoding.UTF8.GetString(received.GetBuffer(), 0, (int)received.Length).Trim();
            if (text.Length == 0)
                throw new ControlUnreachableException($"the server at {path} closed the connection without a reply (is it stopping?)");
            var parsed = JsonSerializer.Deserialize(text, ControlJsonContext.Default.ControlReply)
                ?? throw new ControlUnreachableException("the server's reply is not a JSON object");
            return (text, parsed);
        }
        catch (OperationCanceledException)
        {
            throw new ControlUnreachableException($"server busy: no reply from {path} within {ReplyTimeout.TotalSeconds:0}s");
        }
        catch (SocketException e)
        {
            throw new ControlUnreachableException($"the connection to {path} failed: {e.Message}");
        }
        catch (JsonException e)
        {
            throw new ControlUnreachableException($"the server's reply is not valid: {e.Message}");
        }
    }

    private static bool EndsALine(MemoryStream received) => received.Length > 0 && received.GetBuffer()[received.Length - 1] == (byte)'\n';
}
