using System.Collections.Concurrent;
using Tunicorn.Thrift;

namespace Tunicorn.Tests.Thrift;

/// <summary>Writes down what a connection reports, one line an event, and lets a test wait for the close.</summary>
internal sealed class RecordingReporter : IConnectionReporter
{
    private readonly ConcurrentQueue<string> _events = new();
    private readonly TaskCompletionSource<string> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyList<string> Events => [.. _events];

    /// <summary>The reason the connection closed, once it did.</summary>
    public Task<string> Closed => _closed.Task;

    public void Opened(ConnectionInfo connection) => _events.Enqueue("opened");

    public void CallStarted(ThriftCall call)
    {
        call.Connection.CallInFlight = call;
        _events.Enqueue($"started {call.Method}");
    }

    public void CallCompleted(ThriftCall call)
    {
        call.Connection.CallInFlight = null;
        _events.Enqueue($"completed {call.Method}: {call.Result}");
    }

    public void BadInput(ConnectionInfo connection, Exception error) => _events.Enqueue($"bad input: {error.GetType().Name}");

    void IConnectionReporter.Closed(ConnectionInfo connection, string reason)
    {
        _events.Enqueue("closed");
        _closed.TrySetResult(reason);
    }
}
