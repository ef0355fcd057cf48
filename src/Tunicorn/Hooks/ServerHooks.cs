using Tunicorn.Thrift;

namespace Tunicorn.Hooks;

/// <summary>
/// Server hooks, as gunicorn's and gunicorn_thrift's. Derive from this class, override what you need, and
/// name the class with <c>--hooks Namespace.Type</c> (or put the single subclass in the app assembly, or pass
/// an instance in embedded mode). Every hook is a no-op by default. A hook that throws is logged with its name
/// and the server carries on.
/// </summary>
/// <remarks>
/// .NET cannot fork: <see cref="PreFork"/> runs in the master just before a worker process is started, and
/// <see cref="PostFork"/> runs in the new worker process once it switched user and loaded the app and hooks assemblies,
/// before the handler is created and before <see cref="PostWorkerInit"/>.
/// Master-side hooks run on the arbiter's loop; keep them short. Worker-side per-call hooks
/// (<see cref="PreRequest"/>, <see cref="PostRequest"/>) run inline on the call's path.
/// </remarks>
public abstract class ServerHooks
{
    // ---- master process ----

    /// <summary>Master: before the listeners are bound and the pidfile written.</summary>
    public virtual void OnStarting(IArbiterContext arbiter) { }

    /// <summary>Master: on HUP, after the new settings were loaded, before new workers are spawned.</summary>
    public virtual void OnReload(IArbiterContext arbiter) { }

    /// <summary>Master: once the listeners are bound and the first workers were spawned.</summary>
    public virtual void WhenReady(IArbiterContext arbiter) { }

    /// <summary>Master: just before a worker process is started (worker.Pid is 0).</summary>
    public virtual void PreFork(IArbiterContext arbiter, WorkerInfo worker) { }

    /// <summary>
    /// Master: on USR2 (binary upgrade, or <c>tunicorn ctl upgrade</c>), just before the new master process is started;
    /// gunicorn runs it before its exec. The new master loads its own hooks.
    /// </summary>
    public virtual void PreExec(IArbiterContext arbiter) { }

    /// <summary>Master: after a worker process exited (any cause), with its exit status.</summary>
    public virtual void ChildExit(IArbiterContext arbiter, WorkerInfo worker) { }

    /// <summary>Master: when the target number of workers changed (oldValue is null at start).</summary>
    public virtual void NWorkersChanged(IArbiterContext arbiter, int newValue, int? oldValue) { }

    /// <summary>Master: just before the master exits.</summary>
    public virtual void OnExit(IArbiterContext arbiter) { }

    // ---- worker process ----

    /// <summary>
    /// Worker: in the new worker process, after it switched user and loaded the app and hooks assemblies, before the
    /// handler is created and before <see cref="PostWorkerInit"/>. If it throws, the exception is logged and the worker
    /// boots anyway (a throwing hook never stops the server), so it is not a boot error.
    /// </summary>
    public virtual void PostFork(IWorkerContext worker) { }

    /// <summary>Worker: after the app was loaded, before the worker accepts connections.</summary>
    public virtual void PostWorkerInit(IWorkerContext worker) { }

    /// <summary>Worker: on SIGINT or SIGQUIT (quick stop).</summary>
    public virtual void WorkerInt(IWorkerContext worker) { }

    /// <summary>Worker: on SIGABRT, sent by the master when the worker timed out.</summary>
    public virtual void WorkerAbort(IWorkerContext worker) { }

    /// <summary>Worker: on SIGTERM (graceful stop), before it stops accepting.</summary>
    public virtual void WorkerTerm(IWorkerContext worker) { }

    /// <summary>Worker: as the worker process exits.</summary>
    public virtual void WorkerExit(IWorkerContext worker) { }

    /// <summary>Worker: a call's header was read (the Thrift method name is known); runs before the handler.</summary>
    public virtual void PreRequest(IWorkerContext worker, ThriftCall call) { }

    /// <summary>Worker: the call's reply was sent (or the oneway handler returned); call.Result and Duration are set.</summary>
    public virtual void PostRequest(IWorkerContext worker, ThriftCall call) { }

    /// <summary>Worker: a client connection was accepted.</summary>
    public virtual void OnConnected(IWorkerContext worker, ConnectionInfo connection) { }

    /// <summary>Worker: a client connection was closed.</summary>
    public virtual void PostConnectClosed(IWorkerContext worker, ConnectionInfo connection) { }

    /// <summary>Worker: a connection sent bytes that are not valid Thrift (it is closed next).</summary>
    public virtual void OnTDecodeException(IWorkerContext worker, ConnectionInfo connection, Exception error) { }
}
