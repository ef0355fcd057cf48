using System.Text.RegularExpressions;
using Thrift;
using Tunicorn.IntegrationTests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests;

/// <summary>The access log as gunicorn's: "-" is stdout, and gunicorn's letters mean what they mean there.</summary>
public sealed class AccessLogFormatTests(ITestOutputHelper output)
{
    [Fact]
    public async Task AccessLogDash_GoesToStdout_WithGunicornLettersAndThriftTokens()
    {
        int port = FreePort.Next();
        const string format = "%(h)s|%(l)s|%(t)s|%(r)s|%(m)s|%(s)s|%(T)s|%(M)s|%(D)s|%(L)s|%(p)s|%({x-request-id}i)s|%(seqid)s|%(port)s|%(peer)s|%(result)s|100%%";
        await using var server = await TunicornServer.StartAsync(RepoPaths.TestAppDll, port, workers: 1,
            ["--access-logfile", "-", "--access-logformat", format], output);
        int worker = server.WorkerPids().Single();

        using (var client = await ThriftClients.TestServiceAsync(port))
        {
            Assert.Equal(3, await client.add(1, 2));
            await Assert.ThrowsAsync<TApplicationException>(() => client.fail("no"));
        }

        var line = new Regex(
            @"^(?<h>[^|]*)\|-\|\[(?<t>\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4})\]\|(?<r>[^|]*)\|(?<m>[^|]*)\|(?<s>[^|]*)\|(?<T>\d+)\|(?<M>\d+)\|(?<D>\d+)\|(?<L>\d+\.\d{6})\|<(?<p>\d+)>\|-\|(?<seqid>\d+)\|(?<port>\d+)\|(?<peer>[^|]*)\|(?<result>[^|]*)\|100%$");
        await Eventually.WaitUntilAsync(() => server.Stdout.Snapshot().Count(line.IsMatch) >= 2, TimeSpan.FromSeconds(10),
            "two access lines on stdout", () => "stdout:" + Environment.NewLine + string.Join(Environment.NewLine, server.Stdout.Snapshot()));
        var calls = server.Stdout.Snapshot().Select(l => line.Match(l)).Where(m => m.Success).ToArray();
        Assert.Equal(2, calls.Length);
        Assert.Equal(["add ok", "fail TApplicationException"], calls.Select(m => $"{m.Groups["r"].Value} {m.Groups["s"].Value}"));
        foreach (var m in calls)
        {
            Assert.Equal("127.0.0.1", m.Groups["h"].Value);
            Assert.Equal(m.Groups["r"].Value, m.Groups["m"].Value);
            Assert.Equal(m.Groups["s"].Value, m.Groups["result"].Value);
            Assert.Equal($"127.0.0.1:{m.Groups["port"].Value}", m.Groups["peer"].Value);
            Assert.Equal(worker.ToString(System.Globalization.CultureInfo.InvariantCulture), m.Groups["p"].Value);
            // One duration in four units: D is the exact one, the others are it cut to their unit.
            long micros = long.Parse(m.Groups["D"].Value, System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(micros / 1000, long.Parse(m.Groups["M"].Value, System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(micros / 1_000_000, long.Parse(m.Groups["T"].Value, System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal($"{micros / 1_000_000}.{micros % 1_000_000:D6}", m.Groups["L"].Value);
        }
        Assert.NotEqual(calls[0].Groups["seqid"].Value, calls[1].Groups["seqid"].Value);
        // Nothing of the access log on stderr.
        Assert.DoesNotContain(server.Log.Snapshot(), l => l.Contains("|add|", StringComparison.Ordinal));
    }

    [Fact]
    public async Task UnknownToken_IsRefusedAtStart_NamingIt()
    {
        int port = FreePort.Next();
        await using var server = TunicornServer.Start(
            [RepoPaths.TestAppDll, "-b", $"127.0.0.1:{port}", "--access-logfile", "-", "--access-logformat", "%(h)s %(Z)s"], output);
        int code = await server.WaitForExitAsync(TimeSpan.FromSeconds(20));
        Assert.NotEqual(0, code);
        string log = string.Join(Environment.NewLine, server.Log.Snapshot());
        Assert.Contains("access_log_format", log, StringComparison.Ordinal);
        Assert.Contains("unknown token %(Z)s: 'Z' is neither one of gunicorn's letters nor a Thrift token", log, StringComparison.Ordinal);
    }
}
