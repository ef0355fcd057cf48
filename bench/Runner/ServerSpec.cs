using System.Diagnostics;
using System.Globalization;

namespace Tunicorn.Bench.Runner;

/// <summary>One server under test and how to start it on a port with a service (calculator or bench).</summary>
public sealed record ServerSpec(string Key, string Label, bool IsTunicorn, bool FramedOnly, Func<BenchPaths, ServerLaunch, ProcessStartInfo> Command)
{
    /// <summary>Serves the tutorial Calculator only (no bench service, so no echo points).</summary>
    public bool CalculatorOnly { get; init; }

    /// <summary>Environment variables for this server's processes (a variant under trial), over --tunicorn-env.</summary>
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();

    /// <summary>Tunicorn async as a variant under trial (--variants): its own key, environment and Calculator build.</summary>
    public static ServerSpec Variant(TunicornVariant variant, int workers) => Tunicorn("async", workers, null, variant.CalculatorDll, variant.Tunicorn) with
    {
        Key = "variant-" + variant.Name + (workers == 2 ? "" : $"-w{workers}"),
        Label = $"Tunicorn async [{variant.Name}]" + (workers == 2 ? "" : $" ×{workers}"),
        Env = variant.Env,
    };

    /// <summary>Tunicorn with <paramref name="workerClass"/>; threaded gets <paramref name="threads"/> threads per worker (null: the default).</summary>
    public static ServerSpec Tunicorn(string workerClass, int workers, int? threads, string? calculatorDll = null, string? executable = null) => new(
        $"tunicorn-{workerClass}" + (workers == 2 ? "" : $"-w{workers}"),
        $"Tunicorn {workerClass}" + (workers == 2 ? "" : $" ×{workers}"),
        IsTunicorn: true,
        FramedOnly: false,
        (paths, launch) =>
        {
            var psi = new ProcessStartInfo(executable ?? paths.Tunicorn);
            psi.ArgumentList.Add(launch.Service == "bench" ? paths.BenchServiceDll : calculatorDll ?? paths.CalculatorDll);
            foreach (string a in (string[])["-b", $"127.0.0.1:{launch.Port}", "-w", Num(launch.Workers ?? workers), "-k", workerClass,
                         "--thrift-transport-factory", launch.Transport, "--log-level", "info"])
                psi.ArgumentList.Add(a);
            if (workerClass == "threaded" && threads is int t)
            {
                psi.ArgumentList.Add("--threads");
                psi.ArgumentList.Add(Num(t));
            }
            foreach (string a in launch.TunicornArgs ?? [])
                psi.ArgumentList.Add(a);
            return psi;
        });

    /// <summary>
    /// examples/Calculator.Embedded published with NativeAOT: the same master and workers, the Calculator compiled in,
    /// async workers. It serves the Calculator only.
    /// </summary>
    public static ServerSpec TunicornAot(int workers) => new(
        "tunicorn-aot" + (workers == 2 ? "" : $"-w{workers}"),
        "Tunicorn async NativeAOT" + (workers == 2 ? "" : $" ×{workers}"),
        IsTunicorn: true,
        FramedOnly: false,
        (paths, launch) => Args(paths.TunicornAot, "-b", $"127.0.0.1:{launch.Port}", "-w", Num(launch.Workers ?? workers), "-k", "async",
            "--thrift-transport-factory", launch.Transport, "--log-level", "info"))
    {
        CalculatorOnly = true,
    };

    /// <summary>
    /// The floor of the machine (bench/peers/floor): <paramref name="processes"/> processes of a bare epoll loop in C
    /// that answer the fixed add(1,2) request with one recv and one send, no Thrift at all. Calculator calls only.
    /// </summary>
    public static ServerSpec Floor(int processes) => new(
        "floor", "floor (bare epoll, C)", IsTunicorn: false, FramedOnly: false,
        (paths, launch) => Args(paths.Floor, Num(launch.Port), Num(launch.Workers ?? processes)))
    {
        CalculatorOnly = true,
    };

    /// <summary>Apache Thrift C#'s TThreadPoolAsyncServer (bench/peers/ThreadPoolAsyncServer).</summary>
    public static ServerSpec CSharpThreadPool() => new(
        "csharp-threadpool", "C# TThreadPoolAsyncServer", IsTunicorn: false, FramedOnly: false,
        (paths, launch) => Args(paths.PeerCSharp, "--port", Num(launch.Port), "--transport", launch.Transport, "--service", launch.Service));

    /// <summary>Apache Thrift C++ TThreadedServer (bench/peers/cpp).</summary>
    public static ServerSpec CppThreaded() => new(
        "cpp-threaded", "C++ TThreadedServer", IsTunicorn: false, FramedOnly: false,
        (paths, launch) => Args(paths.PeerCpp, "--server", "threaded", "--port", Num(launch.Port), "--transport", launch.Transport, "--service", launch.Service));

    /// <summary>Apache Thrift C++ TNonblockingServer with one I/O thread per core (framed only).</summary>
    public static ServerSpec CppNonblocking(int ioThreads) => new(
        "cpp-nonblocking", $"C++ TNonblockingServer", IsTunicorn: false, FramedOnly: true,
        (paths, launch) => Args(paths.PeerCpp, "--server", "nonblocking", "--port", Num(launch.Port), "--transport", launch.Transport,
            "--service", launch.Service, "--io-threads", Num(ioThreads)));

    private static ProcessStartInfo Args(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file);
        foreach (string a in args)
            psi.ArgumentList.Add(a);
        return psi;
    }

    private static string Num(int n) => n.ToString(CultureInfo.InvariantCulture);
}
