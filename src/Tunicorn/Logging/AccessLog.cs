using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Tunicorn.Thrift;

namespace Tunicorn.Logging;

/// <summary>
/// One line per completed call, in the <c>access_log_format</c> of the settings. Tokens as gunicorn's:
/// <c>%(h)s</c> peer, <c>%(t)s</c> time, <c>%(m)s</c> Thrift method, <c>%(r)s</c> result (ok, exception name or
/// transport error), <c>%(D)s</c> duration in microseconds, <c>%(p)s</c> worker pid, <c>%(s)s</c> seqid.
/// The format is compiled once; a line costs one string.
/// </summary>
public sealed partial class AccessLog(LogSink sink, string format)
{
    private readonly Func<ThriftCall, string>[] _parts = Compile(format);

    public LogSink Sink { get; } = sink;

    public void Write(ThriftCall call)
    {
        var line = new StringBuilder(128);
        foreach (var part in _parts)
            line.Append(part(call));
        Sink.WriteLine(line.ToString());
    }

    private static Func<ThriftCall, string>[] Compile(string format)
    {
        var parts = new List<Func<ThriftCall, string>>();
        int last = 0;
        foreach (Match m in TokenPattern().Matches(format))
        {
            string literal = format[last..m.Index];
            if (literal.Length > 0)
                parts.Add(_ => literal);
            parts.Add(Token(m.Groups[1].Value));
            last = m.Index + m.Length;
        }
        string tail = format[last..];
        if (tail.Length > 0)
            parts.Add(_ => tail);
        return [.. parts];
    }

    private static Func<ThriftCall, string> Token(string name) => name switch
    {
        "h" => c => c.Connection.Peer,
        "t" => _ => "[" + LogTime.Now() + "]",
        "m" => c => c.Method,
        "r" => c => c.Result ?? "-",
        "D" => c => ((long)(c.Duration.Ticks / 10)).ToString(CultureInfo.InvariantCulture),
        "p" => _ => Environment.ProcessId.ToString(CultureInfo.InvariantCulture),
        "s" => c => c.SeqId.ToString(CultureInfo.InvariantCulture),
        _ => _ => "-", // the settings validator rejects unknown tokens; never fail a call over the log
    };

    [GeneratedRegex(@"%\((\w+)\)s")]
    private static partial Regex TokenPattern();
}
