using System.Globalization;
using System.Net;

namespace Tunicorn.Bench.LoadGen;

/// <summary>What one load run does; <see cref="Parse"/> reads it from the command line.</summary>
public sealed record LoadOptions
{
    public const string Usage = """
        usage: LoadGen --port P [options]
          --host ADDR            loopback address of the server (default 127.0.0.1; other hosts are refused)
          --port P               server port (required)
          --connections N        persistent connections, each with one call in flight (default 8)
          --warmup S             seconds of load before measuring (default 2)
          --duration S           seconds measured (default 10)
          --max-calls N          also stop once N calls were measured (default 0: no limit)
          --call add|echo        add(1,2) (Calculator or bench service) or echo of --size bytes (bench service)
          --size BYTES           echo payload (default 1024)
          --transport buffered|framed   (default buffered, as Tunicorn's default)
          --mode async|blocking  async loops on the socket engine, or a thread per connection (default async)
          --inline-completions true|false   run async continuations on the epoll thread (default true)
          --timeout S            a call without a full reply after S seconds is an error (default 5)
          --timeline-ms MS       also report calls completed in each MS-millisecond slice of the measured window (0: no);
                                 with --json, an @slice marker at the end of each slice
          --json                 machine mode: @measure-start / @measure-end markers and a last line "@result {json}"
        """;

    public IPAddress Host { get; init; } = IPAddress.Loopback;
    public int Port { get; init; }
    public int Connections { get; init; } = 8;
    public double WarmupSeconds { get; init; } = 2;
    public double DurationSeconds { get; init; } = 10;
    public long MaxCalls { get; init; }
    public string Call { get; init; } = "add";
    public int Size { get; init; } = 1024;
    public bool Framed { get; init; }
    public bool Blocking { get; init; }
    public bool InlineCompletions { get; init; } = true;
    public double TimeoutSeconds { get; init; } = 5;
    public bool Json { get; init; }
    public int TimelineMs { get; init; }

    /// <summary>Parses <paramref name="args"/>; throws <see cref="ArgumentException"/> with one line naming the bad option.</summary>
    public static LoadOptions Parse(string[] args)
    {
        var o = new LoadOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            if (name == "--json")
            {
                o = o with { Json = true };
                continue;
            }
            if (i + 1 >= args.Length)
                throw new ArgumentException($"{name} needs a value");
            string value = args[++i];
            o = name switch
            {
                "--host" => o with { Host = LoopbackAddress(value) },
                "--port" => o with { Port = Int(name, value, 1, 65535) },
                "--connections" => o with { Connections = Int(name, value, 1, 10_000) },
                "--warmup" => o with { WarmupSeconds = Seconds(name, value, 0, 3600) },
                "--duration" => o with { DurationSeconds = Seconds(name, value, 0.1, 3600) },
                "--max-calls" => o with { MaxCalls = Int(name, value, 0, int.MaxValue) },
                "--call" => o with { Call = Choice(name, value, "add", "echo") },
                "--size" => o with { Size = Int(name, value, 0, 64 << 20) },
                "--transport" => o with { Framed = Choice(name, value, "buffered", "framed") == "framed" },
                "--mode" => o with { Blocking = Choice(name, value, "async", "blocking") == "blocking" },
                "--inline-completions" => o with { InlineCompletions = Choice(name, value, "true", "false") == "true" },
                "--timeout" => o with { TimeoutSeconds = Seconds(name, value, 0.01, 3600) },
                "--timeline-ms" => o with { TimelineMs = Int(name, value, 0, 60_000) },
                _ => throw new ArgumentException($"unknown option {name}"),
            };
        }
        if (o.Port == 0)
            throw new ArgumentException("--port is required");
        return o;
    }

    public CallTemplate BuildTemplate() => Call == "echo" ? CallTemplate.Echo(Size, Framed) : CallTemplate.Add(1, 2, Framed);

    // The bench loads servers on this machine only.
    private static IPAddress LoopbackAddress(string value) =>
        IPAddress.TryParse(value, out var address) && IPAddress.IsLoopback(address)
            ? address
            : throw new ArgumentException($"--host {value}: only loopback addresses (127.0.0.1, ::1) are allowed");

    private static int Int(string name, string value, int min, int max) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n >= min && n <= max
            ? n
            : throw new ArgumentException($"{name} {value}: expected an integer from {min} to {max}");

    private static double Seconds(string name, string value, double min, double max) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double s) && s >= min && s <= max
            ? s
            : throw new ArgumentException($"{name} {value}: expected seconds from {min} to {max}");

    private static string Choice(string name, string value, params string[] allowed) =>
        allowed.Contains(value) ? value : throw new ArgumentException($"{name} {value}: expected one of {string.Join(", ", allowed)}");
}
