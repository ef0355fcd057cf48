using Tunicorn.IntegrationTests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests.Conformance;

/// <summary>
/// Issue 3, acceptance 1: the interop matrix. Apache Thrift's Python library (Debian's python3-thrift, code from
/// Debian's thrift --gen py) and its C# library call every ThriftTest method for protocols binary, compact, json x
/// transports buffered, framed x worker classes sync, threaded, async: 18 cells per client library, each run twice,
/// once against servers configured for the cell and once against one server on auto.
/// </summary>
public sealed class InteropMatrixTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("sync")]
    [InlineData("threaded")]
    [InlineData("async")]
    public async Task EveryCell_ServerConfiguredForTheCell_PythonAndCSharpClientsGetTheReferenceAnswers(string workerClass)
    {
        // One server per cell, started at once: each speaks only its cell's protocol and transport.
        var ports = ConformanceClients.Cells.ToDictionary(cell => cell, _ => FreePort.Next());
        var starting = ports.Select(pair => TunicornServer.StartAsync(ThriftTestPython.ThriftTestApp, pair.Value, workers: 1,
            ["-k", workerClass, "--thrift-protocol-factory", pair.Key.Split(':')[0], "--thrift-transport-factory", pair.Key.Split(':')[1]])).ToList();
        try
        {
            await Task.WhenAll(starting);
        }
        catch
        {
            // Stop the ones that did start; the failure is the one to report.
            await Task.WhenAll(starting.Where(s => s.IsCompletedSuccessfully).Select(s => s.Result.DisposeAsync().AsTask()));
            throw;
        }

        var servers = starting.Select(s => s.Result).ToList();
        try
        {
            var python = ThriftTestPython.ClientAsync(
                [.. ThriftTestPython.Endpoint(0), "--cells", string.Join(',', ports.Select(p => $"{p.Key}@{p.Value}"))]);
            var csharp = Task.WhenAll(ports.Select(p => RunCSharpCellAsync(p.Value, p.Key)));
            int pythonCells = ThriftTestChecks.AssertPythonPassed(await python, [.. ports.Select(p => $"{p.Key}@{p.Value}")]);
            int[] csharpCalls = await csharp;
            output.WriteLine($"{workerClass}, configured servers: {pythonCells} Python cells and {csharpCalls.Length} C# cells passed ({csharpCalls.Sum()} C# calls)");
            AssertNoErrorButTheTException(servers);
        }
        finally
        {
            await Task.WhenAll(servers.Select(s => s.DisposeAsync().AsTask()));
        }
    }

    [Theory]
    [InlineData("sync")]
    [InlineData("threaded")]
    [InlineData("async")]
    public async Task EveryCell_OneServerOnAuto_PythonAndCSharpClientsGetTheReferenceAnswers(string workerClass)
    {
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(ThriftTestPython.ThriftTestApp, port, workers: 2,
            ["-k", workerClass, "--threads", "4", "--thrift-protocol-factory", "auto", "--thrift-transport-factory", "auto"], output);
        var workers = server.WorkerPids();

        var python = ThriftTestPython.ClientAsync([.. ThriftTestPython.Endpoint(port), "--cells", string.Join(',', ConformanceClients.Cells)]);
        var csharp = Task.WhenAll(ConformanceClients.Cells.Select(cell => RunCSharpCellAsync(port, cell)));
        int pythonCells = ThriftTestChecks.AssertPythonPassed(await python, ConformanceClients.Cells);
        int[] csharpCalls = await csharp;
        output.WriteLine($"{workerClass}, one server on auto: {pythonCells} Python cells and {csharpCalls.Length} C# cells passed ({csharpCalls.Sum()} C# calls)");

        Assert.Equal(workers, server.WorkerPids());
        AssertNoErrorButTheTException([server]);
    }

    private static async Task<int> RunCSharpCellAsync(int port, string cell)
    {
        string[] parts = cell.Split(':');
        var client = await ConformanceClients.ThriftTestAsync(port, parts[0], parts[1]);
        try
        {
            return await ThriftTestChecks.RunAsync(client);
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            throw new Xunit.Sdk.XunitException($"C# cell {cell} on port {port} failed: {e}");
        }
        finally
        {
            ConformanceClients.Close(client);
        }
    }

    /// <summary>testException("TException") is an undeclared handler exception, logged at error level on purpose; nothing else may be.</summary>
    private static void AssertNoErrorButTheTException(IEnumerable<TunicornServer> servers)
    {
        foreach (var server in servers)
        {
            var errors = server.Log.Snapshot().Where(line => LogPatterns.ErrorLevel.IsMatch(line)
                && !line.Contains("TException", StringComparison.Ordinal) && !line.Contains("Handler failed in testException", StringComparison.Ordinal)).ToList();
            Assert.True(errors.Count == 0, $"unexpected errors:{Environment.NewLine}{string.Join(Environment.NewLine, errors)}");
        }
    }
}
