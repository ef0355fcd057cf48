using System.Diagnostics;
using System.Runtime.ExceptionServices;
using Tunicorn.Client.Pooling;

namespace Tunicorn.Client;

/// <summary>Hedged calls (<see cref="CallOptions.HedgeAfter"/>): the same idempotent call on two servers, the first answer wins.</summary>
public sealed partial class TunicornClient<TClient>
{
    /// <summary>A hedge runs the method twice: it is refused for a call not marked idempotent, before anything is sent.</summary>
    private static void CheckHedging(CallOptions options, TimeSpan hedgeAfter)
    {
        if (!options.Idempotent)
            throw new ArgumentException("CallOptions.HedgeAfter is only for idempotent calls: a hedge sends the call to a second server, " +
                "so the method may run twice. Set Idempotent = true if it may, else leave HedgeAfter null.", nameof(options));
        if (hedgeAfter <= TimeSpan.Zero || hedgeAfter == Timeout.InfiniteTimeSpan)
            throw new ArgumentException($"CallOptions.HedgeAfter must be positive (was {hedgeAfter})", nameof(options));
    }

    /// <summary>
    /// Sends the call; if no answer came after <paramref name="hedgeAfter"/>, sends it to another server as well (budget
    /// allowing). The first answer wins; the other attempt's connection is closed and given to no pool. A failure
    /// after the request was sent (closed or reset) waits for the other attempt when one runs, else is retried as a
    /// plain idempotent call is. The deadline covers everything.
    /// </summary>
    private async Task<TResult> HedgedCallAsync<TResult>(Func<TClient, CancellationToken, Task<TResult>> call, CallOptions options,
        TimeSpan hedgeAfter, CallObserver? observer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        ThrowIfDisposed();
        var timeout = options.Timeout ?? _options.CallTimeout;
        using var deadline = Deadline(timeout, cancellationToken);
        // Stops the hedge timer once the call ended: it must not outlive the call by up to HedgeAfter.
        using var hedgeTimerStop = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token);
        _retryBudget.Deposit();
        var running = new List<HedgedAttempt<TResult>>(2);
        var sentTo = new HashSet<ServerState>();
        HashSet<ServerState>? failedOn = null;
        // One hedge per call: a second copy covers one slow server; more copies would add load for less and less gain.
        bool hedgeTimerFired = false;
        int attempts = 0;
        ServerState? lastServer = null;
        try
        {
            // The first attempt connects here, as a plain call does: a call no server takes fails the same way.
            var (first, firstConnection) = await AcquireAsync(options.HashKey, timeout, deadline.Token, cancellationToken, avoid: null).ConfigureAwait(false);
            running.Add(HedgedAttempt<TResult>.Start(this, call, first, firstConnection, options, timeout, deadline.Token, cancellationToken, exclude: null));
            sentTo.Add(first);
            attempts++;
            Task hedgeTimer = Task.Delay(hedgeAfter, _options.TimeProvider, hedgeTimerStop.Token);
            Exception? lastFailure = null;
            while (true)
            {
                var tasks = new List<Task>(running.Count + 1);
                tasks.AddRange(running.Select(a => a.Completion));
                if (!hedgeTimerFired)
                    tasks.Add(hedgeTimer);
                var done = await Task.WhenAny(tasks).ConfigureAwait(false);
                if (done == hedgeTimer)
                {
                    if (hedgeTimer.IsCompletedSuccessfully
                        && !Hedge(running, sentTo, failedOn, call, options, hedgeAfter, timeout, deadline, observer, cancellationToken, ref attempts))
                    {
                        // No attempt has sent its request yet (on a loaded machine the first may not have run on the thread
                        // pool by now): the hedge is decided once one has, HedgeAfter later, instead of never.
                        hedgeTimer = Task.Delay(hedgeAfter, _options.TimeProvider, hedgeTimerStop.Token);
                        continue;
                    }
                    hedgeTimerFired = true;
                    continue;
                }
                var attempt = running.Single(a => a.Completion == done);
                running.Remove(attempt);
                if (attempt.Server is not { } server)
                {
                    // A hedge or retry that reached no server: the caller gets this only when nothing else is left.
                    lastFailure = attempt.Error;
                    if (running.Count > 0)
                        continue;
                    throw Rethrow(lastFailure!);
                }
                var connection = attempt.Connection!;
                lastServer = server;
                sentTo.Add(server);
                observer?.Wrote(connection.Written.Name);
                if (attempt.Error is null || (attempt.Call!.IsCompleted && ServerAnswered(attempt.Error)))
                {
                    // An answer (a declared exception included): the connection is clean, and the call is over.
                    RecordAnswer(server, attempt.Started);
                    server.Pool.Return(connection);
                    attempt.Ended();
                    AbandonLosers(running, attempt.Started, "no answer before a hedged copy of the call sent to another server answered");
                    if (attempt.Error is not null)
                        throw Rethrow(attempt.Error);
                    return attempt.Result!;
                }
                connection.Dispose();
                Abandon(attempt.Call!);
                attempt.Ended();
                var failure = CallFailure(attempt.Error, server, attempt.Fresh, timeout, deadline, cancellationToken) ?? attempt.Error;
                lastFailure = failure;
                if (deadline.IsCancellationRequested)
                    throw Rethrow(failure);
                if (failure is CallFailedException { Reason: CallFailureReason.ConnectionClosed or CallFailureReason.ConnectionReset } failed)
                {
                    (failedOn ??= []).Add(server);
                    if (running.Count > 0)
                        continue;
                    if (_retryBudget.TryWithdraw())
                    {
                        ClientLog.Retrying(_log, server.Instance.Address, failed.Reason.ToString());
                        observer?.Retrying(server.Instance, failed.Reason);
                        running.Add(HedgedAttempt<TResult>.Start(this, call, server: null, connection: null, options, timeout, deadline.Token,
                            cancellationToken, exclude: null, avoid: [.. failedOn]));
                        attempts++;
                        continue;
                    }
                }
                // Not an answer: the other attempt, if one runs, may still bring one.
                if (running.Count > 0)
                    continue;
                throw Rethrow(failure);
            }
        }
        finally
        {
            await hedgeTimerStop.CancelAsync().ConfigureAwait(false);
            // The call failed (its deadline passed, it was cancelled, a failure was final): whatever still runs is
            // abandoned. Past the deadline, a server that has not answered counts a failure, as a plain call's does.
            bool timedOut = deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested && !_closing.IsCancellationRequested;
            AbandonLosers(running, long.MaxValue, timedOut ? $"no answer within the deadline of {timeout.TotalMilliseconds:0} ms" : null);
            observer?.Attempts(lastServer?.Instance, attempts);
        }
    }

    /// <summary>
    /// The hedge timer fired with no answer yet: sends the call to a server this call has not been sent to, if the budget
    /// allows. Returns false when it cannot decide yet because no attempt has sent its request.
    /// </summary>
    private bool Hedge<TResult>(List<HedgedAttempt<TResult>> running, HashSet<ServerState> sentTo, HashSet<ServerState>? failedOn,
        Func<TClient, CancellationToken, Task<TResult>> call, CallOptions options, TimeSpan hedgeAfter, TimeSpan timeout,
        CancellationTokenSource deadline, CallObserver? observer, CancellationToken cancellationToken, ref int attempts)
    {
        var exclude = new HashSet<ServerState>(sentTo);
        if (failedOn is not null)
            exclude.UnionWith(failedOn);
        foreach (var attempt in running)
        {
            if (attempt.Server is { } server)
                exclude.Add(server);
        }
        if (running.FirstOrDefault(a => a.Server is not null) is not { Server: { } slow } slowAttempt)
            return false;
        // No other server, or no budget: no hedge; the call waits for the attempt it has.
        if (!Volatile.Read(ref _view).Any(s => !exclude.Contains(s)) || !_retryBudget.TryWithdraw())
            return true;
        ClientLog.Hedging(_log, slow.Instance.Address, hedgeAfter.TotalMilliseconds);
        // The slow attempt wrote its request already: its method names the hedge.
        observer?.Wrote(slowAttempt.Connection?.Written.Name);
        observer?.Hedging(slow.Instance);
        running.Add(HedgedAttempt<TResult>.Start(this, call, server: null, connection: null, options, timeout, deadline.Token, cancellationToken, exclude));
        attempts++;
        return true;
    }

    /// <summary>
    /// Attempts that lost: cancelled now, their connections closed once they stop. One sent before
    /// <paramref name="sentBefore"/> that still had not answered counts a failure (<paramref name="failure"/>) of its
    /// server: a server that hangs is ejected, and hedges stop having to cover for it.
    /// </summary>
    private static void AbandonLosers<TResult>(List<HedgedAttempt<TResult>> running, long sentBefore, string? failure)
    {
        foreach (var loser in running)
            loser.Abandon(sentBefore, failure);
        running.Clear();
    }

    /// <summary>Throws <paramref name="error"/> with the stack it was thrown with, if it was.</summary>
    private static Exception Rethrow(Exception error)
    {
        ExceptionDispatchInfo.Throw(error);
        return error;
    }

    /// <summary>One attempt of a hedged call: gets a connection (unless given one), runs the call on it, and keeps the outcome. Never throws.</summary>
    private sealed class HedgedAttempt<TResult>
    {
        private readonly CancellationTokenSource _cancel;
        private int _ended;

        private HedgedAttempt(CancellationToken deadline) => _cancel = CancellationTokenSource.CreateLinkedTokenSource(deadline);

        public Task Completion { get; private set; } = Task.CompletedTask;

        /// <summary>Set once connected (read by the hedge while the attempt runs, hence volatile).</summary>
        public ServerState? Server => Volatile.Read(ref _server);

        private ServerState? _server;

        public PooledConnection? Connection { get; private set; }

        public bool Fresh { get; private set; }

        public long Started => Volatile.Read(ref _started);

        private long _started = long.MaxValue;

        public Task<TResult>? Call { get; private set; }

        public TResult? Result { get; private set; }

        public Exception? Error { get; private set; }

        public static HedgedAttempt<TResult> Start(TunicornClient<TClient> client, Func<TClient, CancellationToken, Task<TResult>> call,
            ServerState? server, PooledConnection? connection, CallOptions options, TimeSpan timeout, CancellationToken deadline,
            CancellationToken cancellationToken, HashSet<ServerState>? exclude, HashSet<ServerState>? avoid = null)
        {
            var attempt = new HedgedAttempt<TResult>(deadline);
            attempt.Completion = attempt.RunAsync(client, call, server, connection, options, timeout, cancellationToken, exclude, avoid);
            return attempt;
        }

        /// <summary>The attempt's outcome was handled: its server's count of calls in flight goes down.</summary>
        public void Ended()
        {
            if (Interlocked.Exchange(ref _ended, 1) == 0)
            {
                Server?.CallEnded();
                _cancel.Dispose();
            }
        }

        /// <summary>Another attempt won, or the call is over: stop this one, and close its connection once it stopped.</summary>
        public void Abandon(long sentBefore, string? failure)
        {
            _cancel.Cancel();
            Completion.ContinueWith(_ =>
            {
                if (Connection is { } connection)
                {
                    connection.Dispose();
                    if (failure is not null && Started < sentBefore)
                        Server!.RecordFailure(failure);
                }
                if (Call is { } call)
                    TunicornClient<TClient>.Abandon(call);
                Ended();
            }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        private async Task RunAsync(TunicornClient<TClient> client, Func<TClient, CancellationToken, Task<TResult>> call, ServerState? server,
            PooledConnection? connection, CallOptions options, TimeSpan timeout, CancellationToken cancellationToken,
            HashSet<ServerState>? exclude, HashSet<ServerState>? avoid)
        {
            // Off the caller's flow: the hedge's connect must not hold up the loop that waits for the first answer.
            await Task.Yield();
            try
            {
                if (server is null || connection is null)
                    (server, connection) = await client.AcquireAsync(options.HashKey, timeout, _cancel.Token, cancellationToken, avoid, exclude).ConfigureAwait(false);
                Connection = connection;
                server.CallStarted();
                Volatile.Write(ref _server, server);
                connection.Written.Forget();
                Fresh = connection.Fresh;
                Volatile.Write(ref _started, Stopwatch.GetTimestamp());
                try
                {
                    Call = call((TClient)connection.Client, _cancel.Token);
                }
                catch (Exception e)
                {
                    Call = Task.FromException<TResult>(e);
                }
                // Waits for the call or the cancellation, whichever comes first: a call that ignores its token does not hold the caller.
                Result = await Call.WaitAsync(_cancel.Token).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                Error = e;
            }
        }
    }
}
