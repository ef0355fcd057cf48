using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Tunicorn.Logging;

/// <summary>
/// Sends error-log lines to syslog (log_syslog), each as one RFC 3164 message:
/// <c>&lt;PRI&gt;Dec  7 05:12:14 HOST TAG[PID]: [LEVEL] message</c>, where PRI is facility * 8 + the severity of the
/// level, and TAG is <c>tunicorn</c> or <c>tunicorn.PREFIX</c> (syslog_prefix). Every process (master and each worker)
/// sends its own lines from its own socket.
/// </summary>
/// <remarks>
/// A log line must never hold up a call: datagrams (unix, udp) are sent without blocking and dropped when the
/// receiver's queue is full; TCP sends wait at most a second, and a lost connection is retried at most every
/// <see cref="TcpRetryInterval"/>. To a local socket the HOST field is left out, as glibc's syslog(3) does, because
/// journald would read the host name as the program name.
/// </remarks>
internal sealed class SyslogSink : IDisposable
{
    /// <summary>Longer messages are cut: rsyslog's default maximum is 8 KiB, and a datagram cannot exceed 64 KiB.</summary>
    public const int MaxMessageChars = 8000;

    private static readonly TimeSpan TcpRetryInterval = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan TcpConnectTimeout = TimeSpan.FromSeconds(1);

    private readonly Lock _lock = new();
    private readonly SyslogAddress _address;
    private readonly SyslogFacility _facility;
    private readonly string _afterTimestamp;
    private readonly EndPoint? _endPoint;
    private Socket? _socket;
    private long _lastTcpAttempt;

    private SyslogSink(SyslogAddress address, SyslogFacility facility, string tag, EndPoint? endPoint)
    {
        _address = address;
        _facility = facility;
        _endPoint = endPoint;
        string host = address.Transport == SyslogTransport.Unix ? "" : Environment.MachineName + " ";
        _afterTimestamp = $" {host}{tag}[{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}]: ";
    }

    /// <summary><c>tunicorn</c>, or <c>tunicorn.PREFIX</c> when syslog_prefix is set (gunicorn's gunicorn.PREFIX).</summary>
    public static string Tag(string? prefix) => string.IsNullOrEmpty(prefix) ? "tunicorn" : "tunicorn." + prefix;

    /// <summary>Facility * 8 + severity (RFC 5424 6.2.1); levels map to severities as gunicorn's (Python's) syslog handler maps them.</summary>
    public static int Priority(SyslogFacility facility, LogLevel level) => (int)facility * 8 + level switch
    {
        LogLevel.Trace or LogLevel.Debug => 7,
        LogLevel.Information => 6,
        LogLevel.Warning => 4,
        LogLevel.Error => 3,
        _ => 2,
    };

    /// <summary>
    /// A sink for <paramref name="address"/>. <paramref name="problem"/> says why nothing can be sent right now (a
    /// missing socket file, a host that does not resolve, a TCP server that refuses); the sink is still returned when
    /// it may recover (the socket file appears, the TCP server comes back), or null when it cannot.
    /// </summary>
    public static SyslogSink? Open(SyslogAddress address, SyslogFacility facility, string tag, out string? problem)
    {
        problem = null;
        switch (address.Transport)
        {
            case SyslogTransport.Unix:
            {
                var endPoint = new UnixDomainSocketEndPoint(address.Path);
                var sink = new SyslogSink(address, facility, tag, endPoint)
                {
                    // Unconnected, one sendto per message: a syslog daemon that restarts and recreates its socket
                    // is found again, which a connected socket would not do.
                    _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified) { Blocking = false },
                };
                try
                {
                    using var probe = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
                    probe.Connect(endPoint);
                }
                catch (SocketException e)
                {
                    // .NET reports a missing socket file as "Cannot assign requested address"; say what it is.
                    problem = File.Exists(address.Path)
                        ? $"cannot reach {address} ({e.Message})"
                        : $"cannot reach {address}: no such socket (is a syslog daemon running?)";
                }
                return sink;
            }
            case SyslogTransport.Udp:
            {
                if (Resolve(address, out problem) is not { } ip)
                    return null;
                return new SyslogSink(address, facility, tag, new IPEndPoint(ip, address.Port))
                {
                    _socket = new Socket(ip.AddressFamily, SocketType.Dgram, ProtocolType.Udp) { Blocking = false },
                };
            }
            default:
            {
                if (Resolve(address, out problem) is not { } ip)
                    return null;
                var sink = new SyslogSink(address, facility, tag, new IPEndPoint(ip, address.Port));
                lock (sink._lock)
                {
                    if (!sink.ConnectTcp(out string? reason))
                        problem = $"cannot connect to {address} ({reason}); retrying every {TcpRetryInterval.TotalSeconds:0} s";
                }
                return sink;
            }
        }
    }

    public void Send(LogLevel level, string levelName, string message)
    {
        if (message.Length > MaxMessageChars)
            message = message[..MaxMessageChars];
        var now = DateTime.Now;
        var text = new StringBuilder(message.Length + 64)
            .Append('<').Append(Priority(_facility, level).ToString(CultureInfo.InvariantCulture)).Append('>')
            .Append(now.ToString("MMM", CultureInfo.InvariantCulture)).Append(' ')
            .Append(now.Day.ToString(CultureInfo.InvariantCulture).PadLeft(2)).Append(' ')
            .Append(now.ToString("HH:mm:ss", CultureInfo.InvariantCulture))
            .Append(_afterTimestamp)
            .Append('[').Append(levelName).Append("] ");
        if (_address.Transport == SyslogTransport.Tcp)
        {
            // RFC 6587 non-transparent framing: a line break ends the message, so none may be inside it.
            text.Append(message.Replace('\n', ' ')).Append('\n');
        }
        else
        {
            text.Append(message);
        }
        byte[] bytes = Encoding.UTF8.GetBytes(text.ToString());
        lock (_lock)
        {
            try
            {
                if (_address.Transport == SyslogTransport.Tcp)
                {
                    if (_socket is null && !ConnectTcp(out _))
                        return;
                    _socket!.Send(bytes);
                }
                else
                {
                    _socket!.SendTo(bytes, _endPoint!);
                }
            }
            catch (SocketException)
            {
                // No daemon, a full queue, a dropped TCP connection: the line still is in the error log.
                if (_address.Transport == SyslogTransport.Tcp)
                {
                    _socket?.Dispose();
                    _socket = null;
                }
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _socket?.Dispose();
            _socket = null;
        }
    }

    private static IPAddress? Resolve(SyslogAddress address, out string? problem)
    {
        problem = null;
        if (IPAddress.TryParse(address.Host, out var literal))
            return literal;
        try
        {
            var found = Dns.GetHostAddresses(address.Host);
            if (found.Length > 0)
                return found.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? found[0];
            problem = $"{address}: host {address.Host} has no address";
        }
        catch (SocketException e)
        {
            problem = $"{address}: host {address.Host} does not resolve ({e.Message})";
        }
        return null;
    }

    /// <summary>One attempt, bounded by <see cref="TcpConnectTimeout"/>, and none within <see cref="TcpRetryInterval"/> of the last.</summary>
    private bool ConnectTcp(out string? reason)
    {
        reason = "a recent attempt failed";
        long now = Stopwatch.GetTimestamp();
        if (_lastTcpAttempt != 0 && Stopwatch.GetElapsedTime(_lastTcpAttempt, now) < TcpRetryInterval)
            return false;
        _lastTcpAttempt = now;
        var endPoint = (IPEndPoint)_endPoint!;
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { Blocking = false };
        try
        {
            try
            {
                socket.Connect(endPoint);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress)
            {
                // Poll rather than an async connect: logging is synchronous, and this wait is bounded.
                if (!socket.Poll(TcpConnectTimeout, SelectMode.SelectWrite))
                    throw new SocketException((int)SocketError.TimedOut);
                // SO_ERROR holds the errno of the failed connect.
                if (socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error) is int errno && errno != 0)
                {
                    socket.Dispose();
                    reason = System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno);
                    return false;
                }
            }
            socket.Blocking = true;
            socket.SendTimeout = (int)TcpConnectTimeout.TotalMilliseconds;
            _socket = socket;
            return true;
        }
        catch (SocketException e)
        {
            socket.Dispose();
            reason = e.Message;
            return false;
        }
    }
}
