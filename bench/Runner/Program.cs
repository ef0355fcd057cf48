using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Tunicorn.Bench.Runner;

/// <summary>
/// Entry point of the bench runner (started by bench/run.sh): runs every measurement, then writes
/// <c>results/&lt;date&gt;.md</c> and <c>results/&lt;date&gt;.svg</c>. Server and LoadGen logs stay in a temporary directory.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Contains("--help"))
        {
            Console.WriteLine(RunnerOptions.Usage);
            return 0;
        }
        RunnerOptions options;
        try
        {
            options = RunnerOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine("bench: " + e.Message);
            Console.Error.WriteLine(RunnerOptions.Usage);
            return 2;
        }

        var started = DateTime.UtcNow;
        string loadAtStart = RunContext.LoadAverage();
        string commit = RunContext.ReadCommit(Environment.CurrentDirectory);   // run.sh starts the runner in the repository root
        var clock = Stopwatch.StartNew();
        string stamp = started.ToString("yyyy-MM-dd-HHmm", CultureInfo.InvariantCulture);
        string workDir = Path.Combine(Path.GetTempPath(), $"tunicorn-bench-{stamp}-{Environment.ProcessId}");
        Directory.CreateDirectory(workDir);
        Console.WriteLine($"bench: {(options.Quick ? "quick" : "full")} run, logs in {workDir}");

        // Ctrl-C or kill of the runner: no server may outlive it (LoadGen ends by itself within its bound).
        using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => ServerProcess.KillAll());
        using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => ServerProcess.KillAll());

        var run = new BenchRun(options, Console.Out, workDir);
        int exit = 0;
        try
        {
            await run.RunAsync();
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or IOException or System.ComponentModel.Win32Exception)
        {
            // Report what was measured before the failure, and say what failed.
            Console.Error.WriteLine("bench: " + e.Message);
            run.Notes.Add("The run stopped early: " + e.Message.Split('\n')[0]);
            exit = 1;
        }

        Directory.CreateDirectory(options.OutDir);
        string svgName = stamp + ".svg";
        var context = RunContext.Collect(started, clock.Elapsed, commit, loadAtStart);
        await File.WriteAllTextAsync(Path.Combine(options.OutDir, svgName),
            SvgPlot.Render(run.Main, $"add(1,2), {options.Workers} Tunicorn workers vs Apache Thrift servers, {stamp}"));
        string mdPath = Path.Combine(options.OutDir, stamp + ".md");
        await File.WriteAllTextAsync(mdPath, MarkdownReport.Render(run, options, context, svgName));
        Console.WriteLine($"bench: wrote {mdPath} and {Path.Combine(options.OutDir, svgName)} in {clock.Elapsed.TotalMinutes:0.0} min");
        return exit;
    }
}
