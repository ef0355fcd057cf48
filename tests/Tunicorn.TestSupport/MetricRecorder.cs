using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Tunicorn.TestSupport;

/// <summary>
/// A meter factory whose meters only this recorder listens to (their scope is the recorder): a test sees its own
/// client's measurements, not those of tests running beside it. Like the host's factory, it hands out one meter per name.
/// </summary>
public sealed class MetricRecorder : IMeterFactory
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<RecordedMeasurement> _recorded = new();
    private readonly ConcurrentQueue<RecordedMeasurement> _observed = new();
    private readonly Dictionary<string, Meter> _meters = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <param name="listen">False: a factory nobody listens to.</param>
    public MetricRecorder(bool listen = true)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (listen && ReferenceEquals(instrument.Meter.Scope, this))
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.Start();
    }

    public Meter Create(MeterOptions options)
    {
        lock (_gate)
        {
            if (!_meters.TryGetValue(options.Name, out var meter))
                _meters[options.Name] = meter = new Meter(new MeterOptions(options.Name) { Version = options.Version, Scope = this });
            return meter;
        }
    }

    /// <summary>What the instrument named <paramref name="instrument"/> recorded so far.</summary>
    public IReadOnlyList<RecordedMeasurement> Recorded(string instrument) => [.. _recorded.Where(m => m.Instrument == instrument)];

    /// <summary>What the observable instrument named <paramref name="instrument"/> reports now.</summary>
    public IReadOnlyList<RecordedMeasurement> Observe(string instrument)
    {
        lock (_gate)
        {
            _observed.Clear();
            _listener.RecordObservableInstruments();
            return [.. _observed.Where(m => m.Instrument == instrument)];
        }
    }

    public void Dispose()
    {
        _listener.Dispose();
        lock (_gate)
        {
            foreach (var meter in _meters.Values)
                meter.Dispose();
        }
    }

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var measurement = new RecordedMeasurement(instrument.Name, instrument.Unit, value, new Dictionary<string, object?>(tags.ToArray()));
        (instrument.IsObservable ? _observed : _recorded).Enqueue(measurement);
    }
}
