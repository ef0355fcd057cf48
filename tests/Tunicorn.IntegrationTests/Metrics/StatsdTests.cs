using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Tunicorn.IntegrationTests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests.Metrics;

/// <summary>statsd_host: a real master sends gunicorn's statsd metrics, summed over its workers, to a UDP listener of the test.</summary>
public sealed class StatsdTests(ITestOutputHelper output)
{
    private static readonly Regex StatsdLine = new(@"^(?<name>[^:]+):(?<value>[0-9.]+)\|(?<type>c|ms|g)(\|@(?<rate>[0-9.]+))?(\|#(?<tags>.*))?$");

    [Fact]
    public async Task TheMaster_SendsGunicornsCountersTimersAndGauges_WithPrefixAndTags()
    {
        using var statsd = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        statsd.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        int statsdPort = ((IPEndPoint)statsd.LocalEndPoint!).Port;
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(RepoPaths.TestAppDll, port, workers: 2,
            ["--statsd-host", $"127.0.0.1:{statsdPort}", "--statsd-prefix", "orders", "--dogstatsd-tags", "env:test,team:a"], output);

        const int calls = 40;
        for (int i = 0; i < calls; i++)
        {
            using var client = await ThriftClients.TestServiceAsync(port);
            await client.add(i, 1);
        }

        double requests = 0, timed = 0;
        bool sawWorkers = false;
        var lines = new List<string>();
        byte[] buffer = new byte[65536];
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (requests < calls || timed < calls || !sawWorkers)
        {
            int read = await statsd.ReceiveAsync(buffer, deadline.Token);
            foreach (string line in Encoding.UTF8.GetString(buffer, 0, read).Split('\n'))
            {
                lines.Add(line);
                var match = StatsdLine.Match(line);
                Assert.True(match.Success, $"not a statsd line: '{line}'");
                Assert.Equal("env:test,team:a", match.Groups["tags"].Value);
                double value = double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture);
                double rate = match.Groups["rate"].Success ? double.Parse(match.Groups["rate"].Value, CultureInfo.InvariantCulture) : 1;
                switch (match.Groups["name"].Value, match.Groups["type"].Value)
                {
                    case ("orders.gunicorn.requests", "c"):
                        requests += value;
                        break;
                    case ("orders.gunicorn.request.duration", "ms"):
                        Assert.InRange(value, 0, 10_000);
                        timed += Math.Round(1 / rate);
                        break;
                    case ("orders.gunicorn.workers", "g"):
                        sawWorkers |= value == 2;
                        break;
                }
            }
        }
        output.WriteLine(string.Join(Environment.NewLine, lines.Take(20)));
        Assert.Equal(calls, requests);
        Assert.Equal(calls, timed);
    }
}
