using System.Net.Sockets;
using System.Text;

namespace Tunicorn.IntegrationTests.Harness;

/// <summary>
/// Plays systemd's side of sd_notify: a Unix datagram socket whose path the server gets as NOTIFY_SOCKET, keeping every
/// message it receives, in order, with a timestamp of the test's own clock.
/// </summary>
internal sealed class NotifySocket : IAsyncDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly List<string> _messages = [];
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _receiving;

    public NotifySocket(string path)
    {
        Path = path;
        _socket.Bind(new UnixDomainSocketEndPoint(path));
        _receiving = ReceiveAsync();
    }

    public string Path { get; }

    public IReadOnlyList<string> Messages
    {
        get
        {
            lock (_gate)
                return [.. _messages];
        }
    }

    /// <summary>Waits for a message, received at or after index <paramref name="from"/>, whose lines include <paramref name="line"/>; returns its index.</summary>
    public async Task<int> WaitForAsync(string line, TimeSpan timeout, int from = 0, Func<string>? diagnostics = null)
    {
        int found = -1;
        await Eventually.WaitUntilAsync(
            () =>
            {
                var messages = Messages;
                for (int i = from; i < messages.Count; i++)
                {
                    if (messages[i].Split('\n').Contains(line))
                    {
                        found = i;
                        return true;
                    }
                }
                return false;
            },
            timeout, $"a notification with {line} from message {from} on (got: {Dump()})", diagnostics).ConfigureAwait(false);
        return found;
    }

    /// <summary>The value of <paramref name="name"/> in message <paramref name="index"/>, or null.</summary>
    public string? ValueIn(int index, string name) =>
        Messages[index].Split('\n').FirstOrDefault(l => l.StartsWith(name + "=", StringComparison.Ordinal))?[(name.Length + 1)..];

    public string Dump() => string.Join(" | ", Messages.Select(m => m.Replace('\n', ';')));

    private async Task ReceiveAsync()
    {
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                int read = await _socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token).ConfigureAwait(false);
                lock (_gate)
                    _messages.Add(Encoding.UTF8.GetString(buffer, 0, read));
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _socket.Dispose();
        await _receiving.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
    }
}
