using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Tunicorn.Client.Discovery;
using static Tunicorn.Client.ClientTelemetryNames;

namespace Tunicorn.Client;

/// <summary>
/// One call as its metrics, its span and its <see cref="CallOptions.OnCompleted"/> see it. Made only when something
/// observes calls (a listener on the duration or retries, on the activity source, or a callback): an unobserved call
/// costs a few checks, nothing more.
/// </summary>
internal sealed class CallObserver
{
    private static readonly string? Version = typeof(CallObserver).Assembly.GetName().Version?.ToString();

    /// <summary>The activity source "Tunicorn.Client": one span per call (kind Client), a retry as an event on it.</summary>
    public static readonly ActivitySource Activities = new(Source, Version);

    private readonly ClientMetrics _metrics;
    private readonly Func<string, string> _methodOf;
    private readonly Action<CallInfo>? _onCompleted;
    private readonly ILogger _log;
    private readonly Activity? _activity;
    private readonly long _started = Stopwatch.GetTimestamp();
    private ServiceInstance? _server;
    private string? _method;
    private int _attempts;

    private CallObserver(ClientMetrics metrics, Func<string, string> methodOf, Action<CallInfo>? onCompleted, ILogger log)
    {
        _metrics = metrics;
        _methodOf = methodOf;
        _onCompleted = onCompleted;
        _log = log;
        // Sets Activity.Current for the rest of the caller's async method: the call's own code runs under the span.
        _activity = Activities.StartActivity(ThriftSystem, ActivityKind.Client, parentContext: default,
            tags: [new(RpcSystemName, ThriftSystem)]);
    }

    /// <summary>Whether a call with this callback is observed at all.</summary>
    public static bool Wanted(ClientMetrics metrics, Action<CallInfo>? onCompleted) =>
        onCompleted is not null || metrics.CallDuration.Enabled || metrics.Retries.Enabled || metrics.Hedges.Enabled || Activities.HasListeners();

    /// <summary>Starts observing a call (its span too, when the activity source has listeners); call from the call's own async method.</summary>
    /// <param name="methodOf">"Service/method" for the name of a message the call wrote.</param>
    public static CallObserver Start(ClientMetrics metrics, Func<string, string> methodOf, Action<CallInfo>? onCompleted, ILogger log) =>
        new(metrics, methodOf, onCompleted, log);

    /// <summary>The call goes to <paramref name="server"/> (first or again).</summary>
    public void Attempt(ServiceInstance server)
    {
        _server = server;
        _attempts++;
    }

    /// <summary>The last message the call wrote on its connection, if any.</summary>
    public void Wrote(string? message)
    {
        if (message is not null)
            _method = _methodOf(message);
    }

    /// <summary>The call failed on <paramref name="server"/> and is sent again to another.</summary>
    public void Retrying(ServiceInstance server, CallFailureReason reason)
    {
        string errorType = ErrorTypeOf(reason);
        if (_metrics.Retries.Enabled)
        {
            var tags = BaseTags(server, _method);
            tags.Add(ErrorType, errorType);
            _metrics.Retries.Add(1, tags);
        }
        _activity?.AddEvent(new ActivityEvent(RetryEvent, tags: new ActivityTagsCollection
        {
            [ServerAddress] = server.Host,
            [ServerPort] = server.Port,
            [ErrorType] = errorType,
        }));
    }

    /// <summary>The call had not answered on <paramref name="slow"/> within HedgeAfter, and is sent to another server as well.</summary>
    public void Hedging(ServiceInstance slow)
    {
        if (_metrics.Hedges.Enabled)
            _metrics.Hedges.Add(1, BaseTags(slow, _method));
        _activity?.AddEvent(new ActivityEvent(HedgeEvent, tags: new ActivityTagsCollection
        {
            [ServerAddress] = slow.Host,
            [ServerPort] = slow.Port,
        }));
    }

    /// <summary>
    /// A hedged call's attempts, counted once it ended (they ran side by side, so <see cref="Attempt"/> could not say
    /// which was last): <paramref name="server"/> is the one whose answer won, else the last that failed.
    /// </summary>
    public void Attempts(ServiceInstance? server, int attempts)
    {
        _server = server;
        _attempts = attempts;
    }

    /// <summary>The call ended: with its result (<paramref name="error"/> null) or with what the caller gets thrown.</summary>
    public void Completed(Exception? error)
    {
        var duration = Stopwatch.GetElapsedTime(_started);
        string? errorType = error is null ? null : ErrorTypeOf(error);
        if (_metrics.CallDuration.Enabled)
        {
            var tags = BaseTags(_server, _method);
            if (errorType is not null)
                tags.Add(ErrorType, errorType);
            _metrics.CallDuration.Record(duration.TotalSeconds, tags);
        }
        if (_activity is not null)
        {
            if (_method is not null)
            {
                // Semconv: the span is named after rpc.method when it is known, after rpc.system.name otherwise.
                _activity.DisplayName = _method;
                _activity.SetTag(RpcMethod, _method);
            }
            if (_server is not null)
            {
                _activity.SetTag(ServerAddress, _server.Host);
                _activity.SetTag(ServerPort, _server.Port);
            }
            if (error is not null)
            {
                _activity.SetTag(ErrorType, errorType);
                _activity.SetStatus(ActivityStatusCode.Error, error.Message);
            }
            _activity.Stop();
        }
        if (_onCompleted is null)
            return;
        try
        {
            _onCompleted(new CallInfo(_server, _method, duration, _attempts, error));
        }
        catch (Exception e)
        {
            // The call's outcome stays what it was: a faulty callback is the caller's to fix, from the log.
            ClientLog.CallbackFailed(_log, nameof(CallOptions.OnCompleted), e);
        }
    }

    /// <summary>
    /// error.type: "timeout" for a deadline that passed, the <see cref="CallFailureReason"/> for the client's other
    /// failures ("connection_reset"), else the exception's type (a declared exception, a TApplicationException).
    /// </summary>
    public static string ErrorTypeOf(Exception error) => error switch
    {
        CallFailedException failed => ErrorTypeOf(failed.Reason),
        _ => error.GetType().FullName ?? error.GetType().Name,
    };

    public static string ErrorTypeOf(CallFailureReason reason) => reason switch
    {
        CallFailureReason.DeadlinePassed => "timeout",
        CallFailureReason.NoServerRegistered => "no_server_registered",
        CallFailureReason.RegistryUnreachable => "registry_unreachable",
        CallFailureReason.ConnectFailed => "connect_failed",
        CallFailureReason.ConnectionClosed => "connection_closed",
        CallFailureReason.ConnectionReset => "connection_reset",
        CallFailureReason.ProtocolMismatch => "protocol_mismatch",
        _ => "_OTHER",
    };

    private static TagList BaseTags(ServiceInstance? server, string? method)
    {
        var tags = new TagList { { RpcSystemName, ThriftSystem } };
        if (method is not null)
            tags.Add(RpcMethod, method);
        if (server is not null)
        {
            tags.Add(ServerAddress, server.Host);
            tags.Add(ServerPort, server.Port);
        }
        return tags;
    }
}
