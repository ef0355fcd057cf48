using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Tunicorn.Systemd;

/// <summary>
/// sd_notify written on the protocol, no libsystemd: each message is one datagram to the Unix socket named by
/// NOTIFY_SOCKET (a path, or an abstract name when it starts with '@'). Sent without blocking; a failure is logged once as a
/// warning and never stops the master: systemd may be restarting, and serving matters more than reporting.
/// </summary>
internal sealed partial class SystemdNotifier : IServiceNotifier, IDisposable
{
    /// <summary>Far above what the master sends (a STATUS= line with a reason); the kernel's datagram limit is higher still.</summary>
    private const int MaxMessageBytes = 4096;

    private readonly Socket _socket;
    private readonly SocketAddress _target;
    private readonly string _address;
    private readonly ILogger _log;
    private readonly byte[] _buffer = new byte[MaxMessageBytes];
    private bool _failedOnce;

    private SystemdNotifier(string address, UnixDomainSocketEndPoint target, TimeSpan? watchdogInterval, ILogger log)
    {
        _address = address;
        _target = target.Serialize(); // serialized once: SendTo to a SocketAddress allocates nothing
        _log = log;
        WatchdogInterval = watchdogInterval;
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified) { Blocking = false };
    }

    public TimeSpan? WatchdogInterval { get; }

    /// <summary>
    /// The notifier systemd asked for through <paramref name="environment"/>, or null when NOTIFY_SOCKET is unset (not
    /// started by systemd, or Type=simple). WATCHDOG_USEC gives the watchdog, pinged every half of it as sd_watchdog_enabled(3)
    /// advises, unless WATCHDOG_PID names another process.
    /// </summary>
    public static SystemdNotifier? FromEnvironment(Func<string, string?> environment, int pid, ILoggerFactory loggers, int? upgradeParent = null)
    {
        var log = loggers.CreateLogger("tunicorn.systemd");
        if (environment(SystemdEnvironment.NotifySocket) is not { Length: > 0 } address)
            return null;
        TimeSpan? watchdog = WatchdogIntervalOf(environment, pid, upgradeParent, log);
        if (address[0] != '/' && address[0] != '@')
        {
            // systemd 254+ may name an AF_VSOCK address (vsock:CID:PORT) for virtual machines: not for a server on Linux itself.
            NotifySocketUnsupported(log, address);
            return null;
        }
        // An abstract socket's name starts with a NUL byte, which NOTIFY_SOCKET spells '@'.
        var target = new UnixDomainSocketEndPoint(address[0] == '@' ? "\0" + address[1..] : address);
        var notifier = new SystemdNotifier(address, target, watchdog, log);
        NotifyingSystemd(log, address, watchdog is { } every ? $"WATCHDOG=1 every {every.TotalSeconds:0.###}s" : "no watchdog");
        return notifier;
    }

    private static TimeSpan? WatchdogIntervalOf(Func<string, string?> environment, int pid, int? upgradeParent, ILogger log)
    {
        if (environment(SystemdEnvironment.WatchdogMicroseconds) is not { Length: > 0 } text)
            return null;
        // The watchdog is some other process's (sd_watchdog_enabled(3)), unless it is the old master of a binary upgrade:
        // this master is about to become the service's main process, and systemd set WATCHDOG_PID before it existed.
        if (environment(SystemdEnvironment.WatchdogPid) is { Length: > 0 } watchdogPid && watchdogPid != pid.ToString(CultureInfo.InvariantCulture)
            && (upgradeParent is not int parent || watchdogPid != parent.ToString(CultureInfo.InvariantCulture)))
            return null;
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long microseconds) || microseconds <= 0)
        {
            WatchdogValueInvalid(log, text);
            return null;
        }
        return TimeSpan.FromMicroseconds(microseconds / 2.0);
    }

    public void Notify(string message)
    {
        try
        {
            // Encoded into one buffer kept for the master's life: the watchdog pings of an idle master allocate nothing.
            int length = Encoding.UTF8.GetByteCount(message) <= _buffer.Length
                ? Encoding.UTF8.GetBytes(message, _buffer)
                : throw new ArgumentException($"an sd_notify message longer than {_buffer.Length} bytes", nameof(message));
            _socket.SendTo(_buffer.AsSpan(0, length), SocketFlags.None, _target);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or ArgumentException)
        {
            if (_failedOnce)
                return;
            _failedOnce = true;
            NotifyFailed(_log, FirstLine(message), _address, e.Message);
        }
    }

    public void Dispose() => _socket.Dispose();

    private static string FirstLine(string message) => message.IndexOf('\n') is var end and >= 0 ? message[..end] : message;
}
