namespace Tunicorn.Logging;

/// <summary>How syslog messages travel: one datagram each to a local socket or over UDP, or a line each over TCP.</summary>
internal enum SyslogTransport
{
    Unix,
    Udp,
    Tcp,
}
