using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Tunicorn.Admin;
using Tunicorn.Config;
using Tunicorn.Control;
using Tunicorn.Metrics;
using Tunicorn.WorkerContract;

namespace Tunicorn.Master;

/// <summary>
/// The arbiter's side of the metrics and the admin endpoint: the aggregator that sums the workers' slots (told of
/// every spawn, exit and reload by the loop) and the endpoint that shows it, with readiness and status.
/// </summary>
internal sealed partial class Arbiter
{
    /// <summary>How long /status waits for the loop's answer: a busy or stopping loop must not hold an admin request.</summary>
    private static readonly TimeSpan AdminAskTimeout = TimeSpan.FromSeconds(2);

    /// <summary>How often a master started by a binary upgrade tries the admin port its predecessor still holds.</summary>
    private static readonly TimeSpan AdminTakeOverPoll = TimeSpan.FromMilliseconds(250);

    private MetricsAggregator? _metrics;
    // Set at start, or later by TakeAdminOverAsync (a binary upgrade): read through Volatile from other threads.
    private AdminServer? _admin;
    private StatsdExporter? _statsd;
    private OtlpMetricsExporter? _otlp;
    // Set on the loop the moment a stop begins (TERM, INT, QUIT, ctl stop, halt), read by /readyz on the admin's threads.
    private volatile bool _stopping;
    private volatile string _registryState = "not registered";

    /// <summary>Where the admin endpoint listens (HOST:PORT); null when admin_bind is unset.</summary>
    internal string? AdminAddress => Volatile.Read(ref _admin)?.Address;

    /// <summary>What the workers counted, summed; null before start.</summary>
    internal MetricsAggregator? Metrics => _metrics;

    /// <summary>Once, at start: a reload keeps the endpoint it has, and the counters go on across reloads.</summary>
    private void StartMetrics(Settings settings)
    {
        _metrics = new MetricsAggregator(_board, _time, keepRecent: settings.AdminBind is { Length: > 0 });
        if (settings.StatsdHost is { Length: > 0 } statsd)
        {
            try
            {
                _statsd = StatsdExporter.Start(statsd, settings.StatsdPrefix, settings.DogstatsdTags, _metrics, _log, _time);
            }
            catch (Exception e) when (e is FormatException or SocketException)
            {
                // As gunicorn: metrics are not worth failing a start for.
                StatsdUnavailable(_log, statsd, e.Message);
            }
        }
        if (settings.OtlpEndpoint is { Length: > 0 } otlp)
            _otlp = OtlpMetricsExporter.Start(otlp, _metrics, settings.ProcName ?? "tunicorn", _log, _time);
        if (settings.AdminBind is not { Length: > 0 } bind)
            return;
        IPEndPoint endPoint;
        try
        {
            endPoint = ListenerSet.ParseEndPoint(bind);
        }
        catch (Exception e) when (e is FormatException or SocketException)
        {
            throw new HaltServerException($"admin_bind '{bind}': {e.Message}", 1);
        }
        if (ThriftBindAt(settings.Bind, endPoint) is { } clash)
            throw new HaltServerException($"admin_bind '{bind}' is the address of the Thrift bind '{clash}': give the admin endpoint a port of its own", 1);
        try
        {
            _admin = StartAdmin(endPoint);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse && UpgradeParentPid is int parent)
        {
            // A binary upgrade: the master that started this one serves the endpoint until it stops (after WINCH and
            // QUIT). Failing here would fail every upgrade of a server with admin_bind; take the port once it is free.
            AdminHeldByPreviousMaster(_log, bind, parent);
            _tasks.Track("taking the admin endpoint over from the previous master", TakeAdminOverAsync(endPoint, _shutdown.Token));
        }
        catch (SocketException e)
        {
            throw new HaltServerException($"cannot serve the admin endpoint on '{bind}' (admin_bind): {e.Message}", 1);
        }
    }

    private AdminServer StartAdmin(IPEndPoint endPoint) =>
        AdminServer.Start(endPoint, new AdminRoutes(_metrics!, ReadinessNow, AdminStatusAsync).AnswerAsync, _log);

    private async Task TakeAdminOverAsync(IPEndPoint endPoint, CancellationToken stop)
    {
        while (true)
        {
            try
            {
                await Task.Delay(AdminTakeOverPoll, _time, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            try
            {
                var admin = StartAdmin(endPoint);
                // A stop that began meanwhile must not leave the endpoint open: StopAdminAsync may have run already.
                Volatile.Write(ref _admin, admin);
                if (stop.IsCancellationRequested && Interlocked.Exchange(ref _admin, null) is { } late)
                    await late.DisposeAsync();
                return;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
            }
            catch (SocketException e)
            {
                AdminTakeOverFailed(_log, endPoint.ToString(), e.Message);
                return;
            }
        }
    }

    /// <summary>The Thrift bind that <paramref name="admin"/> would share a port with, if any (a wildcard host covers every address).</summary>
    internal static string? ThriftBindAt(IEnumerable<string> binds, IPEndPoint admin)
    {
        foreach (string bind in binds)
        {
            if (bind.StartsWith("unix:", StringComparison.Ordinal) || bind.StartsWith("fd://", StringComparison.Ordinal))
                continue;
            IPEndPoint thrift;
            try
            {
                thrift = ListenerSet.ParseEndPoint(bind);
            }
            catch (Exception e) when (e is FormatException or SocketException)
            {
                continue; // the Thrift bind itself reports it
            }
            if (thrift.Port != admin.Port)
                continue;
            if (thrift.Address.Equals(admin.Address) || IsWildcard(thrift.Address) || IsWildcard(admin.Address))
                return bind;
        }
        return null;
    }

    private static bool IsWildcard(IPAddress address) => address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any);

    private Readiness ReadinessNow() => Readiness.Of(_stopping, _board.AcceptingCount());

    private async Task<AdminStatus> AdminStatusAsync(CancellationToken cancellationToken)
    {
        ServerStatus? server = null;
        IReadOnlyList<WorkerStatus> workers = [];
        try
        {
            server = (await AskLoopAsync(new ControlRequest { Command = ControlCommands.Status }, Pid).WaitAsync(AdminAskTimeout, cancellationToken)).Status;
            var reply = await AskLoopAsync(new ControlRequest { Command = ControlCommands.Workers }, Pid).WaitAsync(AdminAskTimeout, cancellationToken);
            // Read off the loop: a file of /proc per worker.
            workers = (reply.Workers ?? []).Select(w => w with { RssBytes = ProcessMemory.ResidentBytes(w.Pid) }).ToList();
        }
        catch (TimeoutException)
        {
            // The loop is stopping (it answers no control requests then): the page shows what it can.
        }
        string registry = _current.Settings.ServiceRegisterCls is { Length: > 0 } cls and not "none" ? $"{cls}: {_registryState}" : "none";
        return new AdminStatus(server, workers, registry, ReadinessNow());
    }

    /// <summary>How a reaped worker's exit counts in tunicorn.master.workers.exited.</summary>
    private string ExitReasonOf(WorkerProcess worker, int code) => WorkerExitReason.Of(code, worker.Booted,
        killedByMaster: worker.KilledBecause is not null || worker.AbortedAt is not null,
        asked: worker.Retiring || _stop is not null,
        bootErrorCode: code is (int)WorkerExitCode.BootError or (int)WorkerExitCode.AppLoadError);

    private async Task StopAdminAsync()
    {
        // Whoever takes it disposes it: TakeAdminOverAsync may be finishing as the stop begins.
        if (Interlocked.Exchange(ref _admin, null) is { } admin)
            await admin.DisposeAsync();
        _statsd?.Dispose();
        _otlp?.Dispose();
        _metrics?.Dispose();
    }

    [LoggerMessage(EventId = 1859, Level = LogLevel.Warning,
        Message = "admin_bind '{Address}' is still served by the previous master (pid: {ParentPid}), which started this one by USR2: this master takes the endpoint over once that master has stopped")]
    private static partial void AdminHeldByPreviousMaster(ILogger logger, string address, int parentPid);

    [LoggerMessage(EventId = 1860, Level = LogLevel.Error,
        Message = "Cannot take the admin endpoint {Address} over from the previous master: {Reason}; this master serves without it")]
    private static partial void AdminTakeOverFailed(ILogger logger, string address, string reason);

    [LoggerMessage(EventId = 1857, Level = LogLevel.Warning,
        Message = "statsd_host '{Address}' is unusable ({Reason}): no metrics are sent to statsd")]
    private static partial void StatsdUnavailable(ILogger logger, string address, string reason);
}
