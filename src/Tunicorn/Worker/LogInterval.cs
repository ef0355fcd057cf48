using System.Diagnostics;

namespace Tunicorn.Worker;

/// <summary>
/// Lets a repeating log line through once per interval and counts the occurrences it held back, so that a condition
/// that recurs thousands of times a second (accept failing, connections evicted) is one line every few seconds that
/// still says how often it happened.
/// </summary>
internal sealed class LogInterval(TimeSpan interval)
{
    private readonly Lock _gate = new();
    private long _nextAllowed;
    private long _held;

    /// <summary>True when a line may be logged now; <paramref name="held"/> is how many were held back since the last one.</summary>
    public bool TryEnter(out long held)
    {
        long now = Stopwatch.GetTimestamp();
        lock (_gate)
        {
            if (_nextAllowed != 0 && now < _nextAllowed)
            {
                _held++;
                held = 0;
                return false;
            }
            _nextAllowed = now + (long)(interval.TotalSeconds * Stopwatch.Frequency);
            held = _held;
            _held = 0;
            return true;
        }
    }
}
