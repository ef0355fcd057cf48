using System.Diagnostics;
using Tunicorn.Client;
using Tunicorn.IntegrationTests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests.Registry;

/// <summary>
/// The deadline holds whatever the caller's code does with its token (issue 18, defect 2): a handler that never
/// answers, and calls that ignore the token they are given. The lateness is reported; the bound asserted is generous.
/// </summary>
public sealed class ClientDeadlineTests(ITestOutputHelper output)
{
    // The handler sleeps far longer than any bound below: a call that waited for it would fail the test.
    private const int NeverMs = 20_000;
    private static readonly TimeSpan Deadline = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Call_HandlerNeverReplies_AndTheCallIgnoresItsToken_EndsAtTheDeadline_ThenTheClientCallsOn()
    {
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(TestServiceApp.Spec, port, 1, ["-k", "threaded", "--threads", "4", "--graceful-timeout", "1"], output);
        await using var client = new TunicornClient<testapp.TestService.Client>(new TunicornClientOptions { Servers = [$"127.0.0.1:{port}"] });
        Assert.Equal(3, await client.CallAsync((c, ct) => c.add(1, 2, ct)));

        var clock = Stopwatch.StartNew();
        // The generated method with its default token: only the client can end this call.
        var e = await Assert.ThrowsAsync<CallTimeoutException>(() => client.CallAsync((c, _) => c.sleep(NeverMs), new CallOptions { Timeout = Deadline }));
        var onTheWire = clock.Elapsed;

        clock.Restart();
        // Code that never touches the connection nor the token: the caller still gets its answer at the deadline.
        await Assert.ThrowsAsync<CallTimeoutException>(() => client.CallAsync(async (c, _) =>
        {
            await Task.Delay(NeverMs, CancellationToken.None);
            return 0;
        }, new CallOptions { Timeout = Deadline }));
        var offTheWire = clock.Elapsed;

        output.WriteLine($"[test] deadline {Deadline.TotalMilliseconds:0} ms; a call blocked on the wire ended after {onTheWire.TotalMilliseconds:0} ms " +
            $"({(onTheWire - Deadline).TotalMilliseconds:0} ms late), a call ignoring everything after {offTheWire.TotalMilliseconds:0} ms " +
            $"({(offTheWire - Deadline).TotalMilliseconds:0} ms late)");
        Assert.True(e.RequestSent);
        Assert.Equal(port, e.Server!.Port);
        Assert.Equal(CallFailureReason.DeadlinePassed, e.Reason);
        Assert.True(onTheWire < Generous, $"the call took {onTheWire.TotalMilliseconds:0} ms");
        Assert.True(offTheWire < Generous, $"the call took {offTheWire.TotalMilliseconds:0} ms");
        // The timed-out connection went to nobody: the next calls get clean ones.
        for (int i = 0; i < 5; i++)
            Assert.Equal(i + 3, await client.CallAsync((c, ct) => c.add(i, 3, ct)));
    }

    [Fact]
    public async Task Lease_HandlerNeverReplies_AndTheCallIgnoresTheLeaseToken_TheLeaseDeadlineClosesTheConnection()
    {
        int port = FreePort.Next();
        await using var server = await TunicornServer.StartAsync(TestServiceApp.Spec, port, 1, ["-k", "threaded", "--threads", "4", "--graceful-timeout", "1"], output);
        await using var client = new TunicornClient<testapp.TestService.Client>(new TunicornClientOptions { Servers = [$"127.0.0.1:{port}"] });
        Assert.Equal(3, await client.CallAsync((c, ct) => c.add(1, 2, ct)));

        var clock = Stopwatch.StartNew();
        var lease = await client.LeaseAsync(new CallOptions { Timeout = Deadline });
        await using (lease)
        {
            Assert.Equal(7, await lease.Client.add(3, 4, lease.CancellationToken));
            var e = await Record.ExceptionAsync(() => lease.Client.sleep(NeverMs));
            var took = clock.Elapsed;

            output.WriteLine($"[test] lease deadline {Deadline.TotalMilliseconds:0} ms; the call on it ended after {took.TotalMilliseconds:0} ms " +
                $"({(took - Deadline).TotalMilliseconds:0} ms late) with {e?.GetType().Name}: {e?.Message}");
            Assert.NotNull(e);
            Assert.True(lease.IsExpired);
            Assert.True(took < Generous, $"the call on the lease took {took.TotalMilliseconds:0} ms");
        }
        Assert.Equal(5, await client.CallAsync((c, ct) => c.add(2, 3, ct)));
    }
}
