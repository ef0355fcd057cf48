using System.Collections.Concurrent;
using System.Diagnostics;

namespace Tunicorn.TestSupport;

/// <summary>
/// Records the spans of the activity source "Tunicorn.Client" that belong to one test: those under the test's own root
/// activity. Other calls are not sampled at all (their StartActivity gives null).
/// </summary>
public sealed class SpanRecorder : IDisposable
{
    private readonly ActivityListener _listener;
    private readonly ConcurrentQueue<Activity> _stopped = new();

    public SpanRecorder()
    {
        Root = new Activity("test").SetIdFormat(ActivityIdFormat.W3C).Start();
        var trace = Root.TraceId;
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Tunicorn.Client",
            Sample = (ref ActivityCreationOptions<ActivityContext> options) =>
                options.Parent.TraceId == trace ? ActivitySamplingResult.AllDataAndRecorded : ActivitySamplingResult.None,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>The test's activity, current from here on in the test's flow: the client's spans are its children.</summary>
    public Activity Root { get; }

    public IReadOnlyList<Activity> Stopped => [.. _stopped];

    public void Dispose()
    {
        _listener.Dispose();
        Root.Stop();
    }
}
