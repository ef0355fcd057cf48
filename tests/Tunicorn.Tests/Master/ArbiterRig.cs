using Microsoft.Extensions.Time.Testing;
using Tunicorn.Config;
using Tunicorn.Hooks;
using Tunicorn.Master;
using Tunicorn.Systemd;

namespace Tunicorn.Tests.Master;

/// <summary>
/// An arbiter with fake processes and a fake clock, driven one pass at a time: no process starts and nothing sleeps.
/// Its listeners are real (127.0.0.1, a free port): a socket, not a process.
/// </summary>
internal sealed class ArbiterRig : IAsyncDisposable
{
    /// <param name="initial">The first generation, instead of one of <paramref name="workers"/> and <paramref name="timeout"/>.</param>
    /// <param name="launcher">Starts the new master of a binary upgrade (USR2).</param>
    public ArbiterRig(int workers = 1, double timeout = 30, IServiceNotifier? notifier = null, ServerGeneration? initial = null,
        IMasterLauncher? launcher = null)
    {
        NextGeneration = () => Generation(workers, timeout);
        Arbiter = new Arbiter(initial ?? Generation(workers, timeout), () => NextGeneration(), Processes, Log, reopenLogs: () => { }, time: Time)
        {
            ServiceNotifier = notifier,
            MasterLauncher = launcher,
        };
    }

    public FakeTimeProvider Time { get; } = new();

    public FakeProcessControl Processes { get; } = new();

    public LogRecorder Log { get; } = new();

    public Arbiter Arbiter { get; }

    /// <summary>What a HUP loads.</summary>
    public Func<ServerGeneration> NextGeneration { get; set; }

    public static ServerGeneration Generation(int workers, double timeout) =>
        new(new Settings { Bind = ["127.0.0.1:0"], Workers = workers, Timeout = timeout, GracefulTimeout = 5 }, new NoHooks());

    public IReadOnlyList<FakeWorker> WorkersOf(int generation) => Processes.Spawned.Where(w => w.Launch.Generation == generation).ToList();

    /// <summary>Binds, traps signals and spawns the first workers; with <paramref name="boot"/>, they boot and the loop has seen it.</summary>
    public async Task StartAsync(bool boot = true)
    {
        await Arbiter.StartAsync();
        if (!boot)
            return;
        foreach (var worker in Processes.Spawned)
            worker.Boot();
        Pass();
    }

    public void Pass() => Arbiter.RunPass();

    /// <summary>Moves the clock (the pass timer fires) and runs a pass, as the loop does when it wakes.</summary>
    public void Advance(TimeSpan by)
    {
        Time.Advance(by);
        Pass();
    }

    public async ValueTask DisposeAsync()
    {
        // Stops the fake workers and lets go of the listeners, as a halted master does.
        await Arbiter.HaltAsync(new HaltServerException("the test is over", 0)).WaitAsync(TimeSpan.FromSeconds(30));
    }
}
