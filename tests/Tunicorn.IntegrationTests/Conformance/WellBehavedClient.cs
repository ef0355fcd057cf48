using System.Net;
using Thrift;
using Thrift.Protocol;
using Thrift.Transport;
using Thrift.Transport.Client;
using Tunicorn.IntegrationTests.Harness;
using Xunit;

namespace Tunicorn.IntegrationTests.Conformance;

/// <summary>
/// A client that keeps calling ThriftTest on one connection (binary, buffered) and checks every answer, while the tests
/// send hostile input to the same server: it must get correct answers throughout.
/// </summary>
/// <remarks>
/// It pauses only 20 ms between calls, but a loaded machine can stall the test process past thrift_client_timeout,
/// and then the server rightly closes the connection as idle. That one failure is excused, and the client reconnects,
/// only when the server's log says so for this very connection; any other failure or wrong answer counts.
/// </remarks>
internal sealed class WellBehavedClient : IAsyncDisposable
{
    private readonly int _port;
    private readonly LogBuffer _serverLog;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _calls;

    private WellBehavedClient(int port, LogBuffer serverLog)
    {
        _port = port;
        _serverLog = serverLog;
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>Checked calls answered right so far.</summary>
    public long Calls => Interlocked.Read(ref _calls);

    /// <summary>Connections the server closed because this client stalled (see remarks).</summary>
    public int IdleCloses { get; private set; }

    /// <summary>The first wrong answer or failed call, or null.</summary>
    public string? Failure { get; private set; }

    public static WellBehavedClient Start(int port, LogBuffer serverLog) => new(port, serverLog);

    /// <summary>Asserts that no call failed and that calls are still being answered now.</summary>
    public async Task AssertServedAsync(TimeSpan timeout, Func<string> diagnostics)
    {
        long before = Calls;
        await Eventually.WaitUntilAsync(() => Failure is not null || Calls > before + 1, timeout,
            $"the well-behaved client gets answers (calls so far: {before})", diagnostics);
        Assert.True(Failure is null, $"the well-behaved client failed: {Failure}{Environment.NewLine}{diagnostics()}");
    }

    private async Task LoopAsync()
    {
        int i = 0;
        while (!_stop.IsCancellationRequested)
        {
            var socket = new TSocketTransport(IPAddress.Loopback, _port, new TConfiguration(), (int)ConformanceClients.DefaultTimeout.TotalMilliseconds);
            var client = new ThriftTest.ThriftTest.Client(new TBinaryProtocol(new TBufferedTransport(socket)));
            int localPort = 0;
            try
            {
                await client.OpenTransportAsync(_stop.Token);
                localPort = ((IPEndPoint)socket.TcpClient.Client.LocalEndPoint!).Port;
                for (; !_stop.IsCancellationRequested; i++)
                {
                    string text = $"call {i} {new string('x', i % 200)}";
                    string echoed = await client.testString(text, _stop.Token);
                    int number = await client.testI32(i, _stop.Token);
                    if (echoed != text || number != i)
                    {
                        Failure = $"call {i}: testString answered '{echoed}', testI32 answered {number}";
                        return;
                    }
                    Interlocked.Increment(ref _calls);
                    await Task.Delay(20, _stop.Token);
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is TTransportException or IOException)
            {
                if (!await ClosedAsIdleAsync(localPort))
                {
                    Failure = $"after {Calls} calls: {e}";
                    return;
                }
                IdleCloses++;
            }
            catch (Exception e)
            {
                Failure = $"after {Calls} calls: {e}";
                return;
            }
            finally
            {
                ConformanceClients.Close(client);
            }
        }
    }

    private async Task<bool> ClosedAsIdleAsync(int localPort)
    {
        if (localPort == 0)
            return false;
        string line = $"from 127.0.0.1:{localPort} idle for";
        try
        {
            await Eventually.WaitUntilAsync(() => _serverLog.Snapshot().Any(l => l.Contains(line, StringComparison.Ordinal)),
                TimeSpan.FromSeconds(3), line);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
