using System.Text;
using Tunicorn.Thrift;

namespace Tunicorn.Logging;

/// <summary>
/// One line per completed call, in the <c>access_log_format</c> of the settings; the tokens are
/// <see cref="AccessLogFormat"/>'s (gunicorn's letters with their nearest Thrift meaning, and Thrift's own words).
/// The format is compiled once; a line costs one string.
/// </summary>
internal sealed class AccessLog(LogSink sink, string format)
{
    private readonly Func<ThriftCall, string>[] _parts = AccessLogFormat.Compile(format);

    public LogSink Sink { get; } = sink;

    public void Write(ThriftCall call)
    {
        var line = new StringBuilder(128);
        foreach (var part in _parts)
            line.Append(part(call));
        Sink.WriteLine(line.ToString());
    }
}
