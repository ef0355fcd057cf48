using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Tunicorn.Metrics;

/// <summary>
/// Sends the summed metrics to a statsd daemon over UDP once a second, from the master, with gunicorn's names:
/// <c>gunicorn.requests</c> (counter, calls), <c>gunicorn.request.duration</c> (timer, milliseconds),
/// <c>gunicorn.workers</c> (gauge), under <c>statsd_prefix</c> and with <c>dogstatsd_tags</c>.
/// </summary>
/// <remarks>
/// gunicorn's workers send one timer per request; here the workers count into fixed buckets and the master sends,
/// each second, one timer line per bucket that received calls, at the bucket's representative duration (the
/// interval's mean when all calls fell in one bucket, else the bucket's middle) with the sample rate 1/N, so that
/// statsd counts N calls at that duration. Counts and rates are exact; percentiles are as fine as the buckets.
/// Tunicorn additions under the same prefix: <c>tunicorn.request.errors</c>, <c>tunicorn.connections</c>,
/// <c>tunicorn.active_calls</c>.
/// </remarks>
internal sealed partial class StatsdExporter : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    /// <summary>Below the usual 1,432-byte safe UDP payload of statsd clients: a datagram never fragments.</summary>
    private const int MaxDatagram = 1400;

    private readonly MetricsAggregator _metrics;
    private readonly Socket _socket;
    private readonly string _prefix;
    private readonly string _tags;
    private readonly ILogger _log;
    private readonly ITimer _timer;
    private readonly Lock _gate = new();
    private long _lastCalls;
    private long _lastErrors;
    private long[] _lastBuckets = new long[MetricBuckets.DurationCount];
    private long _lastDurationTicks;
    private bool _warned;

    private StatsdExporter(MetricsAggregator metrics, Socket socket, string prefix, string tags, ILogger log, TimeProvider time)
    {
        _metrics = metrics;
        _socket = socket;
        _prefix = prefix;
        _tags = tags;
        _log = log;
        // The first send starts from what was counted at start (nothing, or a reload's carry-over): no burst.
        var start = metrics.Collect(withMemory: false);
        (_lastCalls, _lastErrors, _lastBuckets, _lastDurationTicks) = Sums(start);
        _timer = time.CreateTimer(_ => Send(), null, Interval, Interval);
    }

    /// <summary>gunicorn's prefix rule: the prefix, with one dot after it unless it is empty or has one.</summary>
    internal static string Prefix(string? prefix) =>
        string.IsNullOrEmpty(prefix) ? "" : prefix.EndsWith('.') ? prefix : prefix + ".";

    /// <summary>The DogStatsD tag suffix: <c>|#a:b,c</c>, or nothing.</summary>
    internal static string Tags(string? tags) => string.IsNullOrWhiteSpace(tags) ? "" : "|#" + tags.Trim();

    public static StatsdExporter Start(string hostPort, string? prefix, string? tags, MetricsAggregator metrics, ILogger log, TimeProvider? time = null)
    {
        IPEndPoint endPoint = Master.ListenerSet.ParseEndPoint(hostPort);
        var socket = new Socket(endPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.Connect(endPoint);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        Sending(log, hostPort, Prefix(prefix));
        return new StatsdExporter(metrics, socket, Prefix(prefix), Tags(tags), log, time ?? TimeProvider.System);
    }

    private static (long Calls, long Errors, long[] Buckets, long DurationTicks) Sums(MetricsTotals totals)
    {
        long calls = 0, errors = 0, ticks = 0;
        long[] buckets = new long[MetricBuckets.DurationCount];
        foreach (var s in totals.Series)
        {
            calls += s.Count;
            ticks += s.DurationTicks;
            if (s.ErrorType is not null)
                errors += s.Count;
            for (int i = 0; i < buckets.Length; i++)
                buckets[i] += s.DurationBuckets[i];
        }
        return (calls, errors, buckets, ticks);
    }

    /// <summary>The lines for what changed since the last send (public for the unit tests).</summary>
    internal List<string> LinesSince(MetricsTotals totals)
    {
        var (calls, errors, buckets, ticks) = Sums(totals);
        var lines = new List<string>();
        long newCalls = calls - _lastCalls;
        if (newCalls > 0)
        {
            lines.Add(Line("gunicorn.requests", newCalls.ToString(CultureInfo.InvariantCulture), "c"));
            int used = 0;
            for (int i = 0; i < buckets.Length; i++)
                used += buckets[i] - _lastBuckets[i] > 0 ? 1 : 0;
            double meanMs = (ticks - _lastDurationTicks) / (double)TimeSpan.TicksPerMillisecond / newCalls;
            for (int i = 0; i < buckets.Length; i++)
            {
                long n = buckets[i] - _lastBuckets[i];
                if (n <= 0)
                    continue;
                double ms = used == 1 ? meanMs : BucketMiddleMs(i);
                string rate = n == 1 ? "" : "|@" + (1.0 / n).ToString("0.########", CultureInfo.InvariantCulture);
                lines.Add(Line("gunicorn.request.duration", ms.ToString("0.###", CultureInfo.InvariantCulture), "ms" + rate));
            }
        }
        if (errors - _lastErrors > 0)
            lines.Add(Line("tunicorn.request.errors", (errors - _lastErrors).ToString(CultureInfo.InvariantCulture), "c"));
        lines.Add(Line("gunicorn.workers", totals.WorkersAlive.ToString(CultureInfo.InvariantCulture), "g"));
        lines.Add(Line("tunicorn.connections", totals.ConnectionsActive.Sum().ToString(CultureInfo.InvariantCulture), "g"));
        lines.Add(Line("tunicorn.active_calls", totals.CallsInFlight.ToString(CultureInfo.InvariantCulture), "g"));
        (_lastCalls, _lastErrors, _lastBuckets, _lastDurationTicks) = (calls, errors, buckets, ticks);
        return lines;
    }

    private static double BucketMiddleMs(int bucket)
    {
        double[] bounds = MetricBuckets.DurationSeconds;
        double upper = bucket < bounds.Length ? bounds[bucket] : bounds[^1];
        double lower = bucket == 0 ? 0 : bounds[Math.Min(bucket, bounds.Length) - 1];
        return (bucket < bounds.Length ? (lower + upper) / 2 : upper) * 1000;
    }

    private string Line(string name, string value, string type) => $"{_prefix}{name}:{value}|{type}{_tags}";

    private void Send()
    {
        lock (_gate)
        {
            try
            {
                var datagram = new StringBuilder();
                foreach (string line in LinesSince(_metrics.Collect(withMemory: false)))
                {
                    if (datagram.Length > 0 && datagram.Length + 1 + line.Length > MaxDatagram)
                    {
                        _socket.Send(Encoding.UTF8.GetBytes(datagram.ToString()));
                        datagram.Clear();
                    }
                    if (datagram.Length > 0)
                        datagram.Append('\n');
                    datagram.Append(line);
                }
                if (datagram.Length > 0)
                    _socket.Send(Encoding.UTF8.GetBytes(datagram.ToString()));
                _warned = false;
            }
            catch (SocketException e)
            {
                // UDP: a daemon that is down answers with ICMP, seen here on the next send. Said once until it works again.
                if (!_warned)
                    SendFailed(_log, e.Message);
                _warned = true;
            }
        }
    }

    public void Dispose()
    {
        _timer.Dispose();
        lock (_gate)
            _socket.Dispose();
    }

    [LoggerMessage(EventId = 1855, Level = LogLevel.Information, Message = "Sending metrics to statsd at {Address} every second (prefix '{Prefix}')")]
    private static partial void Sending(ILogger logger, string address, string prefix);

    [LoggerMessage(EventId = 1856, Level = LogLevel.Warning, Message = "Cannot send metrics to statsd: {Reason}; the server serves on, and tries again every second")]
    private static partial void SendFailed(ILogger logger, string reason);
}
