using System.Globalization;
using Tunicorn.Hooks;
using Tunicorn.Thrift;

namespace Tunicorn.TestApp;

/// <summary>
/// Overrides every server hook to append one line <c>hook_name PID EXTRA [DETAIL...]</c> to the file named by
/// <c>TUNICORN_TEST_HOOK_LOG</c>, where PID is the process the hook ran in. The hooks test reads the file back
/// to check that each hook fired once per event and in the right process (master or worker).
/// EXTRA: the Thrift method for pre_request/post_request, the connection id for connection hooks, the worker
/// pid for worker and child hooks, the worker's age for pre_fork (its pid is not known yet), the new count for
/// nworkers_changed, and "-" where there is nothing to add.
/// </summary>
public sealed class RecordingHooks : ServerHooks
{
    public const string HookLogVariable = "TUNICORN_TEST_HOOK_LOG";

    /// <summary>When set to a number, post_fork ends the worker with that exit code before it boots.</summary>
    public const string ExitInPostForkVariable = "TUNICORN_TEST_EXIT_IN_POST_FORK";

    /// <summary>When set (to anything), post_fork throws after it recorded itself.</summary>
    public const string ThrowInPostForkVariable = "TUNICORN_TEST_THROW_IN_POST_FORK";

    // ---- master ----

    public override void OnStarting(IArbiterContext arbiter) => Record("on_starting", "-");

    public override void OnReload(IArbiterContext arbiter) => Record("on_reload", "-");

    public override void WhenReady(IArbiterContext arbiter) => Record("when_ready", "-");

    public override void PreFork(IArbiterContext arbiter, WorkerInfo worker) => Record("pre_fork", Num(worker.Age));

    public override void PreExec(IArbiterContext arbiter) => Record("pre_exec", "-");

    public override void ChildExit(IArbiterContext arbiter, WorkerInfo worker) =>
        Record("child_exit", Num(worker.Pid), "exit=" + (worker.ExitCode is int code ? Num(code) : "-"));

    public override void NWorkersChanged(IArbiterContext arbiter, int newValue, int? oldValue) =>
        Record("nworkers_changed", Num(newValue), oldValue is int old ? Num(old) : "-");

    public override void OnExit(IArbiterContext arbiter) => Record("on_exit", "-");

    // ---- worker ----

    public override void PostFork(IWorkerContext worker)
    {
        Record("post_fork", Num(worker.Pid));
        // A worker that dies before it booted, with the code a test asks for (the worker boot-error rule).
        if (int.TryParse(Environment.GetEnvironmentVariable(ExitInPostForkVariable), CultureInfo.InvariantCulture, out int code))
            Environment.Exit(code);
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable(ThrowInPostForkVariable)))
            throw new InvalidOperationException("post_fork failed on purpose (" + ThrowInPostForkVariable + ")");
    }

    public override void PostWorkerInit(IWorkerContext worker) => Record("post_worker_init", Num(worker.Pid));

    public override void WorkerInt(IWorkerContext worker) => Record("worker_int", Num(worker.Pid));

    public override void WorkerAbort(IWorkerContext worker) => Record("worker_abort", Num(worker.Pid));

    public override void WorkerTerm(IWorkerContext worker) => Record("worker_term", Num(worker.Pid));

    public override void WorkerExit(IWorkerContext worker) => Record("worker_exit", Num(worker.Pid));

    public override void PreRequest(IWorkerContext worker, ThriftCall call) => Record("pre_request", call.Method);

    public override void PostRequest(IWorkerContext worker, ThriftCall call) =>
        Record("post_request", call.Method, call.Result ?? "-");

    public override void OnConnected(IWorkerContext worker, ConnectionInfo connection) =>
        Record("on_connected", Num(connection.Id));

    public override void PostConnectClosed(IWorkerContext worker, ConnectionInfo connection) =>
        Record("post_connect_closed", Num(connection.Id));

    public override void OnTDecodeException(IWorkerContext worker, ConnectionInfo connection, Exception error) =>
        Record("on_tdecode_exception", Num(connection.Id), error.GetType().Name);

    private static string Num(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static void Record(string hook, string extra, string? detail = null)
    {
        string? path = Environment.GetEnvironmentVariable(HookLogVariable);
        if (string.IsNullOrEmpty(path))
            return;
        // Tokens are space-separated; a method name or result never holds a space, but keep the format safe anyway.
        string line = $"{hook} {Num(Environment.ProcessId)} {extra.Replace(' ', '_')}";
        if (detail is not null)
            line += " " + detail.Replace(' ', '_');
        AppendOnlyLog.AppendLine(path, line);
    }
}
