using Tunicorn.Client.Discovery;

namespace Tunicorn.Client;

/// <summary>How a call went, given to <see cref="CallOptions.OnCompleted"/> once it ended.</summary>
public sealed class CallInfo
{
    internal CallInfo(ServiceInstance? server, string? method, TimeSpan duration, int attempts, Exception? error)
    {
        Server = server;
        Method = method;
        Duration = duration;
        Attempts = attempts;
        Error = error;
    }

    /// <summary>The server the call went to (its last attempt's, after retries; for a hedged call, the one whose answer won); null when it reached none.</summary>
    public ServiceInstance? Server { get; }

    /// <summary>"Service/method", from the Thrift message the call wrote; null when it wrote none.</summary>
    public string? Method { get; }

    /// <summary>From CallAsync to its result or exception: waiting for a server, connecting, retries and the call.</summary>
    public TimeSpan Duration { get; }

    /// <summary>The servers the request was sent to or meant for: 1, plus one per retry or hedge (<see cref="CallOptions.Idempotent"/>, <see cref="CallOptions.HedgeAfter"/>); 0 when no server was reached.</summary>
    public int Attempts { get; }

    /// <summary>What the caller gets thrown; null when the call returned.</summary>
    public Exception? Error { get; }
}
