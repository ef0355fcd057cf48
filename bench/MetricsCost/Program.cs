using System.Diagnostics;
using System.Globalization;
using Tunicorn.Metrics;
using Tunicorn.Thrift;
using Tunicorn.WorkerContract;

namespace Tunicorn.Bench.MetricsCost;

/// <summary>
/// Times what the metrics add to a call in a worker: <see cref="WorkerMetrics.CallStarted"/> and
/// <see cref="WorkerMetrics.CallCompleted"/> on a real shared-memory board, in a loop, on one thread and on as many
/// threads as the machine has cores (an async worker's calls complete on thread-pool threads side by side).
/// Prints the median and the fastest of several rounds in ns a call (on a busy machine the fastest is the closest to
/// the work itself; other processes only ever add to a round). Timings are for reading, never for a test to assert on.
///   dotnet run -c Release --project bench/MetricsCost [-- CALLS_PER_ROUND]
/// </summary>
public static class Program
{
    private const int Rounds = 7;

    public static int Main(string[] args)
    {
        long calls = args.Length > 0 ? long.Parse(args[0], CultureInfo.InvariantCulture) : 5_000_000;
        var board = ConnectionBoard.Create();
        // Publishing on the worker's timer, as in a worker: its cost is in the rounds, spread over the calls.
        using var metrics = new WorkerMetrics(MetricsBoard.Of(board), slot: 0, defaultService: "Calculator", MetricsBoard.PublishInterval);
        int threads = Environment.ProcessorCount;
        Console.WriteLine($"metrics-cost: {calls} calls a round, {Rounds} rounds; {threads} cores");
        // The first rounds run at tier 0 and collect PGO; the median of the later ones is the steady cost.
        Report("loop alone (the call object's fields set, no metrics)", calls, 1, c => Loop(null, c));
        Report("CallStarted + CallCompleted, 1 thread", calls, 1, c => Loop(metrics, c));
        if (threads > 1)
            Report($"CallStarted + CallCompleted, {threads} threads at once, one board slot", calls, threads, c => Loop(metrics, c));
        return 0;
    }

    private static void Report(string what, long calls, int threads, Action<long> loop)
    {
        var perCall = new List<double>();
        for (int round = 0; round < Rounds; round++)
        {
            long start = Stopwatch.GetTimestamp();
            var workers = Enumerable.Range(0, threads).Select(_ => new Thread(() => loop(calls))).ToList();
            workers.ForEach(t => t.Start());
            workers.ForEach(t => t.Join());
            // Wall time of each thread's calls: with N threads side by side, each call took this long on its thread.
            perCall.Add(Stopwatch.GetElapsedTime(start).TotalNanoseconds / calls);
        }
        perCall.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{what}: median {perCall[Rounds / 2]:0.0} ns a call, fastest {perCall[0]:0.0} (rounds {string.Join(' ', perCall.Select(p => p.ToString("0.0", CultureInfo.InvariantCulture)))})"));
    }

    private static void Loop(WorkerMetrics? metrics, long calls)
    {
        var connection = new ConnectionInfo { Id = Environment.CurrentManagedThreadId, Peer = "127.0.0.1:1", LocalEndPoint = "127.0.0.1:2" };
        for (long i = 0; i < calls; i++)
        {
            var call = NewCall(connection, i);
            metrics?.CallStarted();
            // As a loopback add(1,2): tens of microseconds, about 30 bytes each way.
            call.Duration = TimeSpan.FromTicks(200 + (i & 255));
            call.RequestBytes = 29;
            call.ResponseBytes = 26;
            call.Result = ThriftCall.ResultOk;
            metrics?.CallCompleted(call);
        }
    }

    private static ThriftCall NewCall(ConnectionInfo connection, long i) =>
        new() { Method = "add", SeqId = (int)i, IsOneway = false, Connection = connection, StartTimestamp = i };
}
