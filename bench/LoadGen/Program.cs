using System.Text.Json;

namespace Tunicorn.Bench.LoadGen;

/// <summary>
/// Entry point: parses the options, runs one bounded load run and prints its result (text, or in --json mode
/// the markers and one "@result {json}" line). Exit code 0 when calls were measured without errors, 1 when
/// there were errors or no call completed, 2 for bad options.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        LoadOptions options;
        try
        {
            options = LoadOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine("loadgen: " + e.Message);
            Console.Error.WriteLine(LoadOptions.Usage);
            return 2;
        }

        // Read once by the socket engine when it starts, so it must be set before the first socket exists:
        // continuations then run on the epoll thread instead of hopping to the thread pool (fewer CPU cycles per call).
        if (!options.Blocking && options.InlineCompletions)
            Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");

        var run = new LoadRun(options);
        if (options.Json)
            run.Marker += marker => Console.Out.WriteLine(marker);
        var result = run.Run();
        if (options.Json)
            Console.Out.WriteLine("@result " + JsonSerializer.Serialize(result, LoadResultJson.Default.LoadResult));
        else
            Console.Out.Write(result.ToText());
        Console.Out.Flush();
        return result.Errors == 0 && result.Calls > 0 ? 0 : 1;
    }
}
