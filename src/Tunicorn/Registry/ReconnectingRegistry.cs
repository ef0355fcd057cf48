using Microsoft.Extensions.Logging;

namespace Tunicorn.Registry;

/// <summary>
/// A registry backend whose entries one <see cref="ReconnectLoop"/> keeps in place: it registers late when the
/// registry was down at start, again after a lost session or lease, and stops before the entries are removed. A
/// backend says only how it differs: what it announces, one attempt, what a failed attempt leaves to undo, and how
/// its entries are removed.
/// </summary>
internal abstract class ReconnectingRegistry : IServiceRegistry
{
    private bool _everRegistered;

    /// <param name="backend">The backend's name in log lines: "etcd", "zookeeper".</param>
    protected ReconnectingRegistry(ServiceRegistryContext context, string backend)
    {
        Context = context;
        Backend = backend;
        Log = context.LoggerFactory.CreateLogger("tunicorn.registry");
        Loop = new ReconnectLoop(AttemptAsync, FailedAsync, context.TimeProvider);
    }

    protected ServiceRegistryContext Context { get; }

    protected string Backend { get; }

    protected ILogger Log { get; }

    protected ReconnectLoop Loop { get; }

    /// <summary>The registry's servers, for log lines.</summary>
    protected abstract string Hosts { get; }

    public Task StartAsync(IReadOnlyList<ServiceEndpoint> endpoints, CancellationToken cancellationToken)
    {
        if (Loop.IsStarted)
            return Task.CompletedTask;
        if (PrepareEntries(endpoints) == 0)
            RegistryLog.NothingToRegister(Log);
        else
            Loop.Start(cancellationToken);
        return Task.CompletedTask;
    }

    public async Task DeregisterAsync(CancellationToken cancellationToken)
    {
        await Loop.StopAsync();
        if (await RemoveEntriesAsync(cancellationToken) is not { } removed)
            return;
        RegistryLog.Deregistered(Log, Backend, removed);
        // Give watching clients deregister_delay to move away before the workers drain; cut short, without error,
        // when the master's bound on deregistration runs out.
        if (Context.Options.DeregisterDelay <= TimeSpan.Zero)
            return;
        try
        {
            await Task.Delay(Context.Options.DeregisterDelay, Context.TimeProvider, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Loop.DisposeAsync();
        await DisposeConnectionAsync();
    }

    /// <summary>Builds what to announce for <paramref name="endpoints"/>; returns how many entries that makes.</summary>
    protected abstract int PrepareEntries(IReadOnlyList<ServiceEndpoint> endpoints);

    /// <summary>
    /// One attempt of the loop: register (calling <see cref="Registered"/>), then hold on; return when the
    /// registration is lost (to register again at once), throw when the registry fails (to retry after a back-off).
    /// </summary>
    protected abstract Task AttemptAsync(CancellationToken cancellationToken);

    /// <summary>After a failed attempt, once it is logged: undo what the attempt left half done.</summary>
    protected abstract ValueTask ResetAfterFailureAsync();

    /// <summary>Removes the entries now (the loop has stopped); returns them for the log line, or null when none were there.</summary>
    protected abstract Task<string?> RemoveEntriesAsync(CancellationToken cancellationToken);

    protected abstract ValueTask DisposeConnectionAsync();

    /// <summary>The reason a failed attempt is logged with.</summary>
    protected virtual string Reason(Exception e) => e.Message;

    /// <summary>The entries are in place: logs it, and the next failure starts a new outage.</summary>
    protected void Registered(string entries)
    {
        if (_everRegistered)
            RegistryLog.RegisteredAgain(Log, Backend, Hosts, entries);
        else
            RegistryLog.Registered(Log, Backend, Hosts, entries);
        _everRegistered = true;
        Loop.Connected();
    }

    private async ValueTask FailedAsync(Exception e, bool firstFailure)
    {
        if (firstFailure)
            RegistryLog.RegistryUnavailable(Log, Backend, Hosts, Reason(e));
        else
            RegistryLog.RegistryStillUnavailable(Log, Backend, Reason(e));
        await ResetAfterFailureAsync();
    }
}
