using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Tunicorn.Thrift;

namespace Tunicorn.Logging;

/// <summary>
/// The tokens of <c>access_log_format</c> and the compiler of a format into the parts of a line. gunicorn's letters
/// keep their gunicorn meaning as nearly as a Thrift call has one, so a format copied from a gunicorn config logs
/// what it says; what only Thrift has gets a word of its own. Any other token is an error naming it.
/// </summary>
internal static partial class AccessLogFormat
{
    private sealed record Token(string Name, string Description, Func<ThriftCall, string> Render);

    /// <summary>gunicorn's letters, each with its nearest meaning for a Thrift call.</summary>
    private static readonly Token[] GunicornTokens =
    [
        new("h", "remote address, without the port (unix:PATH for a Unix socket)", c => RemoteAddress(c.Connection.Peer)),
        new("t", "time, as gunicorn's [07/Dec/2026:02:50:16 +0000]", _ => "[" + LogTime.FormatCommonLog(DateTimeOffset.Now) + "]"),
        new("r", "the method called (gunicorn's request line)", c => c.Method),
        new("m", "the method called (gunicorn's request method)", c => c.Method),
        new("s", "the outcome (gunicorn's status): ok, the declared exception's name, TApplicationException, transport error, protocol error or aborted", Outcome),
        new("T", "duration in whole seconds", c => (c.Duration.Ticks / TimeSpan.TicksPerSecond).ToString(CultureInfo.InvariantCulture)),
        new("M", "duration in whole milliseconds", c => (c.Duration.Ticks / TimeSpan.TicksPerMillisecond).ToString(CultureInfo.InvariantCulture)),
        new("D", "duration in microseconds", c => (c.Duration.Ticks / TimeSpan.TicksPerMicrosecond).ToString(CultureInfo.InvariantCulture)),
        new("L", "duration in decimal seconds, 0.001234", DecimalSeconds),
        new("p", "worker pid, as gunicorn's <1234>", _ => "<" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + ">"),
        new("l", "- (as in gunicorn)", NoValue),
        new("u", "- (Thrift calls carry no user name)", NoValue),
        new("U", "- (no URL)", NoValue),
        new("q", "- (no query string)", NoValue),
        new("H", "- (no HTTP protocol)", NoValue),
        new("b", "- (reply size not measured)", NoValue),
        new("B", "- (reply size not measured)", NoValue),
        new("f", "- (no referer)", NoValue),
        new("a", "- (no user agent)", NoValue),
    ];

    /// <summary>What only a Thrift call has, as words, so they never collide with gunicorn's letters.</summary>
    private static readonly Token[] ThriftTokens =
    [
        new("seqid", "the call's sequence id", c => c.SeqId.ToString(CultureInfo.InvariantCulture)),
        new("port", "the peer's port (- for a Unix socket)", c => PeerPort(c.Connection.Peer)),
        new("peer", "the peer's address and port, 127.0.0.1:53122 or [::1]:53122", c => c.Connection.Peer),
        new("result", "the outcome, as %(s)s", Outcome),
        new("connection", "the connection's id, as the error log's Connection lines name it", c => c.Connection.Id.ToString(CultureInfo.InvariantCulture)),
    ];

    /// <summary>Every token, for the settings' description and error messages.</summary>
    public static string Describe() =>
        "gunicorn's " + string.Join(", ", GunicornTokens.Select(t => $"%({t.Name})s {t.Description}"))
        + ", %({NAME}i)s - (gunicorn's request header: THeader info headers do not reach the access log)"
        + "; Thrift's " + string.Join(", ", ThriftTokens.Select(t => $"%({t.Name})s {t.Description}"))
        + "; %% for %";

    /// <summary>The parts of a line for <paramref name="format"/>, in order.</summary>
    /// <exception cref="FormatException">A token is unknown or malformed; the message names it and lists what is allowed.</exception>
    public static Func<ThriftCall, string>[] Compile(string format)
    {
        var parts = new List<Func<ThriftCall, string>>();
        var literal = new StringBuilder();
        void FlushLiteral()
        {
            if (literal.Length == 0)
                return;
            string text = literal.ToString();
            literal.Clear();
            parts.Add(_ => text);
        }

        for (int i = 0; i < format.Length; i++)
        {
            char c = format[i];
            if (c != '%')
            {
                literal.Append(c);
                continue;
            }
            if (i + 1 < format.Length && format[i + 1] == '%')
            {
                literal.Append('%');
                i++;
                continue;
            }
            var match = TokenPattern().Match(format, i);
            if (!match.Success || match.Index != i)
                throw new FormatException($"has a '%' at position {i + 1} that starts no %(NAME)s token (allowed: {Describe()})");
            FlushLiteral();
            parts.Add(Resolve(match.Groups["name"].Value, match.Value));
            i += match.Length - 1;
        }
        FlushLiteral();
        return [.. parts];
    }

    private static Func<ThriftCall, string> Resolve(string name, string token)
    {
        foreach (var t in GunicornTokens)
        {
            if (t.Name == name)
                return t.Render;
        }
        foreach (var t in ThriftTokens)
        {
            if (t.Name == name)
                return t.Render;
        }
        if (HeaderPattern().IsMatch(name))
            return NoValue;
        throw new FormatException($"has the unknown token {token}: '{name}' is neither one of gunicorn's letters nor a Thrift token (allowed: {Describe()})");
    }

    private static string NoValue(ThriftCall call) => "-";

    private static string Outcome(ThriftCall call) => call.Result ?? "-";

    private static string DecimalSeconds(ThriftCall call)
    {
        long micros = call.Duration.Ticks / TimeSpan.TicksPerMicrosecond;
        return string.Create(CultureInfo.InvariantCulture, $"{micros / 1_000_000}.{micros % 1_000_000:D6}");
    }

    /// <summary>"127.0.0.1:53122" → "127.0.0.1", "[::1]:53122" → "::1"; "unix:/path" as it is; "unknown" → "-".</summary>
    internal static string RemoteAddress(string peer)
    {
        if (peer.StartsWith("unix:", StringComparison.Ordinal))
            return peer;
        if (peer.StartsWith('[') && peer.IndexOf(']') is > 0 and var close)
            return peer[1..close];
        int colon = peer.LastIndexOf(':');
        return colon > 0 ? peer[..colon] : "-";
    }

    internal static string PeerPort(string peer)
    {
        if (peer.StartsWith("unix:", StringComparison.Ordinal))
            return "-";
        int colon = peer.LastIndexOf(':');
        return colon > 0 && colon < peer.Length - 1 && (!peer.StartsWith('[') || peer[colon - 1] == ']') ? peer[(colon + 1)..] : "-";
    }

    [GeneratedRegex(@"%\((?<name>[^()]*)\)s")]
    private static partial Regex TokenPattern();

    /// <summary>gunicorn's %({name}i)s, a request header.</summary>
    [GeneratedRegex(@"^\{[^{}]+\}i$")]
    private static partial Regex HeaderPattern();
}
