using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Tunicorn.Config;
using Tunicorn.Master;

namespace Tunicorn.Tests.Master;

/// <summary>max_worker_memory and max_worker_lifetime decide which booted workers of the serving generation to replace.</summary>
public sealed class WorkerRecyclerTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly Dictionary<int, long> _memory = [];

    [Fact]
    public void Memory_OverTheLimit_MarksOnlyThatWorker_AndOnlyOncePerInterval()
    {
        var recycler = new WorkerRecycler(_time, NullLogger.Instance, pid => _memory.TryGetValue(pid, out long b) ? b : null);
        var settings = new Settings { MaxWorkerMemory = 200 };
        var fat = Worker(1);
        var slim = Worker(2);
        _memory[1] = 150L << 20;
        _memory[2] = 100L << 20;
        _time.Advance(WorkerRecycler.MemoryInterval);
        recycler.Check([fat, slim], settings, generation: 0);
        Assert.Null(fat.ReplaceReason);

        _memory[1] = 230L << 20;
        _time.Advance(TimeSpan.FromSeconds(1));
        recycler.Check([fat, slim], settings, generation: 0);
        Assert.Null(fat.ReplaceReason); // read again only every MemoryInterval

        _time.Advance(WorkerRecycler.MemoryInterval);
        recycler.Check([fat, slim], settings, generation: 0);
        Assert.Equal("private memory 230 MiB over max_worker_memory 200 MiB", fat.ReplaceReason);
        Assert.Null(slim.ReplaceReason);
    }

    [Fact]
    public void Lifetime_PassedWithItsJitter_MarksTheWorker_NotBefore()
    {
        var recycler = new WorkerRecycler(_time, NullLogger.Instance, _ => null);
        var settings = new Settings { MaxWorkerLifetime = 100 };
        var worker = Worker(1);
        _time.Advance(TimeSpan.FromSeconds(99));
        recycler.Check([worker], settings, generation: 0);
        Assert.Null(worker.ReplaceReason);

        _time.Advance(TimeSpan.FromSeconds(12)); // past 100 s + at most 10 % jitter
        recycler.Check([worker], settings, generation: 0);
        Assert.StartsWith("it has run 111s, max_worker_lifetime 100s", worker.ReplaceReason);
    }

    [Fact]
    public void WorkersNotBootedRetiringOrOfAnotherGeneration_AreLeftAlone()
    {
        var recycler = new WorkerRecycler(_time, NullLogger.Instance, _ => 1L << 40);
        var settings = new Settings { MaxWorkerMemory = 1 };
        var booting = Worker(1, booted: false);
        var retiring = Worker(2);
        retiring.Retiring = true;
        var older = Worker(3, generation: 1);
        _time.Advance(WorkerRecycler.MemoryInterval);
        recycler.Check([booting, retiring, older], settings, generation: 2);
        Assert.All([booting, retiring, older], w => Assert.Null(w.ReplaceReason));
    }

    [Fact]
    public void WorkersOfAStrandedGeneration_AreWatchedToo()
    {
        var recycler = new WorkerRecycler(_time, NullLogger.Instance, _ => 1L << 40);
        var settings = new Settings { MaxWorkerMemory = 1 };
        var serving = Worker(1, generation: 0);
        var stranded = Worker(2, generation: 1);
        var other = Worker(3, generation: 2);
        _time.Advance(WorkerRecycler.MemoryInterval);
        recycler.Check([serving, stranded, other], settings, generation: 0, stranded: new HashSet<int> { 1 });
        Assert.NotNull(serving.ReplaceReason);
        Assert.NotNull(stranded.ReplaceReason);
        Assert.Null(other.ReplaceReason);
    }

    private WorkerProcess Worker(int pid, bool booted = true, int generation = 0)
    {
        var launch = new WorkerLaunch(new Settings(), "", null!, null!, pid, pid, generation);
        return new WorkerProcess(new FakeWorker(pid, launch, (_, _) => { }), pid, pid, generation, _time.GetTimestamp()) { Booted = booted };
    }
}
