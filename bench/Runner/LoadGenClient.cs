using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Tunicorn.Bench.LoadGen;

namespace Tunicorn.Bench.Runner;

/// <summary>
/// Runs LoadGen as its own process (so its CPU is not the runner's) in --json mode, calls back at the
/// measurement markers, and returns its result. Bounded: the process is killed when it overruns.
/// </summary>
public sealed class LoadGenClient(string loadGenPath, string mode, double timeoutSeconds)
{
    public async Task<LoadResult> RunAsync(int port, string transport, string call, int size, int connections,
        double warmupSeconds, double durationSeconds, Action? onMeasureStart, Action? onMeasureEnd, TextWriter log, int timelineMs = 0,
        Action? onSlice = null)
    {
        var psi = new ProcessStartInfo(loadGenPath)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string a in (string[])["--port", Num(port), "--transport", transport, "--call", call, "--size", Num(size),
                     "--connections", Num(connections), "--warmup", Num(warmupSeconds), "--duration", Num(durationSeconds),
                     "--mode", mode == "blocking" ? "blocking" : "async", "--inline-completions", mode == "async" ? "false" : "true",
                     "--timeout", Num(timeoutSeconds), "--timeline-ms", Num(timelineMs), "--json"])
            psi.ArgumentList.Add(a);
        log.WriteLine("$ " + loadGenPath + " " + string.Join(' ', psi.ArgumentList));

        using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start LoadGen");
        string? resultJson = null;
        var stderr = process.StandardError.ReadToEndAsync();
        var bound = TimeSpan.FromSeconds(warmupSeconds + durationSeconds + timeoutSeconds + 30);
        using var cts = new CancellationTokenSource(bound);
        try
        {
            while (await process.StandardOutput.ReadLineAsync(cts.Token) is { } line)
            {
                if (line == "@measure-start")
                    onMeasureStart?.Invoke();
                else if (line == "@slice")
                    onSlice?.Invoke();
                else if (line == "@measure-end")
                    onMeasureEnd?.Invoke();
                else if (line.StartsWith("@result ", StringComparison.Ordinal))
                    resultJson = line["@result ".Length..];
                else
                    log.WriteLine(line);
            }
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw new TimeoutException($"LoadGen did not finish within {bound.TotalSeconds:0} s");
        }
        string errors = await stderr;
        if (errors.Length > 0)
            log.WriteLine(errors);
        if (resultJson is null)
            throw new InvalidOperationException($"LoadGen exited with code {process.ExitCode} without a result: {errors}");
        return JsonSerializer.Deserialize(resultJson, LoadResultJson.Default.LoadResult)
            ?? throw new InvalidOperationException("LoadGen printed an empty result");
    }

    private static string Num(double value) => value.ToString(CultureInfo.InvariantCulture);
}
