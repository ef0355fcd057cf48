using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace Tunicorn.Bench.LoadGen;

/// <summary>
/// One bounded run: start the connections, warm up, measure, stop. A watchdog thread fails calls that exceed
/// the timeout. The run always ends: after the measured time (or --max-calls) every connection finishes its
/// call in flight or is closed after a short grace, and <see cref="Run"/> returns.
/// </summary>
public sealed class LoadRun
{
    private const int MaxReportedErrors = 5;
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(1);

    private readonly LoadOptions _options;
    private readonly ConcurrentQueue<string> _firstErrors = new();
    private volatile int _phase;   // 0 warming up, 1 measuring, 2 stopping
    private int _reportedErrors;

    public LoadRun(LoadOptions options)
    {
        _options = options;
        EndPoint = new IPEndPoint(options.Host, options.Port);
        Timeout = TimeSpan.FromSeconds(options.TimeoutSeconds);
    }

    public IPEndPoint EndPoint { get; }
    public TimeSpan Timeout { get; }
    public bool Measuring => _phase == 1;
    public bool Stopping => _phase == 2;

    /// <summary>Markers on stdout in --json mode, so that a runner samples server CPU over the same window.</summary>
    public event Action<string>? Marker;

    public void ReportError(ErrorKind kind, string message)
    {
        if (Interlocked.Increment(ref _reportedErrors) <= MaxReportedErrors)
            _firstErrors.Enqueue($"{kind}: {message}");
    }

    public LoadResult Run()
    {
        var template = _options.BuildTemplate();
        var loops = Enumerable.Range(0, _options.Connections).Select(_ => new ConnectionLoop(this, template.Clone())).ToArray();
        var finished = new CountdownEvent(loops.Length);
        foreach (var loop in loops)
        {
            if (_options.Blocking)
            {
                new Thread(() => { try { loop.RunBlocking(); } finally { finished.Signal(); } })
                { IsBackground = true, Name = "loadgen connection" }.Start();
            }
            else
            {
                _ = Task.Run(async () => { try { await loop.RunAsync(); } finally { finished.Signal(); } });
            }
        }
        var watchdog = new Thread(() => Watch(loops)) { IsBackground = true, Name = "loadgen watchdog" };
        watchdog.Start();

        Thread.Sleep(TimeSpan.FromSeconds(_options.WarmupSeconds));

        using var self = Process.GetCurrentProcess();
        self.Refresh();
        var cpuStart = self.TotalProcessorTime;
        long allocatedStart = GC.GetTotalAllocatedBytes(precise: false);
        long start = Stopwatch.GetTimestamp();
        _phase = 1;
        Marker?.Invoke("@measure-start");
        var duration = TimeSpan.FromSeconds(_options.DurationSeconds);
        // Calls completed per slice (--timeline-ms): how fast a fresh server reaches its steady rate.
        var timeline = new List<long>();
        var slice = TimeSpan.FromMilliseconds(_options.TimelineMs);
        long sliceStartCalls = 0;
        while (Stopwatch.GetElapsedTime(start) < duration)
        {
            if (_options.TimelineMs > 0 && Stopwatch.GetElapsedTime(start) >= slice * (timeline.Count + 1))
            {
                long calls = loops.Sum(l => l.Histogram.Count);
                timeline.Add(calls - sliceStartCalls);
                sliceStartCalls = calls;
                Marker?.Invoke("@slice");
            }
            Thread.Sleep(TimeSpan.FromMilliseconds(Math.Min(10, Math.Max(1, (duration - Stopwatch.GetElapsedTime(start)).TotalMilliseconds))));
            if (_options.MaxCalls > 0 && loops.Sum(l => l.Histogram.Count) >= _options.MaxCalls)
                break;
        }
        _phase = 2;
        long end = Stopwatch.GetTimestamp();
        self.Refresh();
        var cpuEnd = self.TotalProcessorTime;
        long allocated = GC.GetTotalAllocatedBytes(precise: false) - allocatedStart;
        Marker?.Invoke("@measure-end");

        // Let calls in flight finish briefly, then close whatever still waits (e.g. connections never accepted).
        int pending = finished.Wait(StopGrace) ? 0 : loops.Count(l => l.CallStart != 0);
        foreach (var loop in loops)
            loop.Abort();
        finished.Wait(TimeSpan.FromSeconds(2));

        return Summarize(loops, Stopwatch.GetElapsedTime(start, end).TotalSeconds, (cpuEnd - cpuStart).TotalSeconds, pending, allocated)
            with { TimelineMs = _options.TimelineMs, Timeline = timeline };
    }

    // Fails calls older than the timeout; the loops themselves never wait longer than that.
    private void Watch(ConnectionLoop[] loops)
    {
        long limit = (long)(Timeout.TotalSeconds * Stopwatch.Frequency);
        var interval = TimeSpan.FromMilliseconds(Math.Clamp(Timeout.TotalMilliseconds / 4, 1, 100));
        while (!Stopping)
        {
            Thread.Sleep(interval);
            long now = Stopwatch.GetTimestamp();
            foreach (var loop in loops)
            {
                long started = loop.CallStart;
                if (started != 0 && now - started > limit && !Stopping)
                    loop.TimeOut();
            }
        }
    }

    private LoadResult Summarize(ConnectionLoop[] loops, double seconds, double cpuSeconds, int pending, long allocatedBytes)
    {
        var all = new LatencyHistogram();
        foreach (var loop in loops)
            all.Add(loop.Histogram);
        var byKind = Enum.GetValues<ErrorKind>().ToDictionary(
            k => k.ToString().ToLowerInvariant(), k => loops.Sum(l => l.MeasuredErrors(k)));
        static double Us(long ns) => Math.Round(ns / 1000.0, 1);
        return new LoadResult
        {
            Call = _options.Call,
            Size = _options.Call == "echo" ? _options.Size : 0,
            Transport = _options.Framed ? "framed" : "buffered",
            Mode = _options.Blocking ? "blocking" : _options.InlineCompletions ? "async-inline" : "async",
            Connections = _options.Connections,
            WarmupSeconds = _options.WarmupSeconds,
            MeasuredSeconds = Math.Round(seconds, 3),
            Calls = all.Count,
            CallsPerSecond = Math.Round(all.Count / seconds, 1),
            P50Us = Us(all.ValueAtQuantile(0.50)),
            P90Us = Us(all.ValueAtQuantile(0.90)),
            P99Us = Us(all.ValueAtQuantile(0.99)),
            P999Us = Us(all.ValueAtQuantile(0.999)),
            MaxUs = Us(all.MaxNanoseconds),
            MeanUs = Math.Round(all.MeanNanoseconds / 1000.0, 1),
            Errors = byKind.Values.Sum(),
            ErrorsByKind = byKind,
            WarmupCalls = loops.Sum(l => l.WarmupCalls),
            WarmupErrors = loops.Sum(l => l.WarmupErrors),
            ConnectionsServed = loops.Count(l => l.Histogram.Count > 0),
            PendingAtEnd = pending,
            LoadGenCpuSeconds = Math.Round(cpuSeconds, 3),
            LoadGenCpuCores = Math.Round(cpuSeconds / seconds, 3),
            LoadGenAllocatedBytesPerCall = all.Count == 0 ? 0 : Math.Round((double)allocatedBytes / all.Count, 2),
            FirstErrors = [.. _firstErrors],
        };
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"load run on {EndPoint}");
}
