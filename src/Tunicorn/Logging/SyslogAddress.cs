using System.Globalization;
using Tunicorn.Config;

namespace Tunicorn.Logging;

/// <summary>Where syslog messages go, in gunicorn's syslog_addr forms: <c>unix://PATH</c>, <c>udp://HOST:PORT</c>, <c>tcp://HOST:PORT</c>.</summary>
internal sealed record SyslogAddress(SyslogTransport Transport, string Host, int Port)
{
    /// <summary>The syslog port when an address names none (RFC 5426 for UDP; the same by custom for TCP).</summary>
    public const int DefaultPort = 514;

    /// <summary>The local syslog daemon's socket on Linux (rsyslog, syslog-ng, systemd-journald).</summary>
    public const string DefaultText = "unix:///dev/log";

    /// <summary>The socket path of a unix address.</summary>
    public string Path => Host;

    /// <exception cref="SettingValueException">Not one of the three forms, or a bad port.</exception>
    public static SyslogAddress Parse(string text)
    {
        const string Allowed = "is not a syslog address: unix://PATH, udp://HOST[:PORT] or tcp://HOST[:PORT]";
        int scheme = text.IndexOf("://", StringComparison.Ordinal);
        if (scheme < 0)
            throw new SettingValueException(text, Allowed);
        string rest = text[(scheme + 3)..];
        var transport = text[..scheme].ToLowerInvariant() switch
        {
            "unix" => SyslogTransport.Unix,
            "udp" => SyslogTransport.Udp,
            "tcp" => SyslogTransport.Tcp,
            _ => throw new SettingValueException(text, Allowed),
        };
        if (transport == SyslogTransport.Unix)
        {
            return rest.Length > 0 ? new SyslogAddress(transport, rest, 0) : throw new SettingValueException(text, Allowed);
        }
        string host = rest;
        int port = DefaultPort;
        int colon = rest.LastIndexOf(':');
        // [::1]:514 or a bare IPv6 literal in brackets; a colon inside brackets is not a port separator.
        if (colon >= 0 && rest.IndexOf(']', StringComparison.Ordinal) < colon)
        {
            host = rest[..colon];
            if (!int.TryParse(rest.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
                throw new SettingValueException(text, "has a port that is not a number from 1 to 65535");
        }
        host = host.Trim('[', ']');
        return host.Length > 0 ? new SyslogAddress(transport, host, port) : throw new SettingValueException(text, Allowed);
    }

    public override string ToString() => Transport == SyslogTransport.Unix
        ? "unix://" + Path
        : $"{Transport.ToString().ToLowerInvariant()}://{(Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host)}:{Port.ToString(CultureInfo.InvariantCulture)}";
}
