using System.Net.Sockets;
using System.Text;
using Tunicorn.Systemd;
using Tunicorn.Tests.Master;

namespace Tunicorn.Tests.Systemd;

/// <summary>The sd_notify datagrams, received on a real Unix datagram socket as systemd would.</summary>
public sealed class SystemdNotifierTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("tunicorn-notify-").FullName;
    private readonly LogRecorder _log = new();

    [Fact]
    public void WithoutNotifySocket_ThereIsNoNotifier()
    {
        Assert.Null(SystemdNotifier.FromEnvironment(_ => null, Environment.ProcessId, _log));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Notify_SendsOneDatagram_ToAPathOrAnAbstractName(bool isAbstract)
    {
        string name = isAbstract ? $"tunicorn-test-{Guid.NewGuid():N}" : Path.Combine(_folder, "notify");
        using var systemd = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        systemd.Bind(new UnixDomainSocketEndPoint(isAbstract ? "\0" + name : name));
        string address = isAbstract ? "@" + name : name;

        using var notifier = SystemdNotifier.FromEnvironment(v => v == SystemdEnvironment.NotifySocket ? address : null, Environment.ProcessId, _log)!;
        notifier.Notify("READY=1\nMAINPID=42");

        var buffer = new byte[256];
        systemd.ReceiveTimeout = 10_000;
        int read = systemd.Receive(buffer);
        Assert.Equal("READY=1\nMAINPID=42", Encoding.UTF8.GetString(buffer, 0, read));
    }

    [Fact]
    public void AFailureToSend_IsOneWarning_AndNeverThrows()
    {
        string missing = Path.Combine(_folder, "nobody-listens");
        using var notifier = SystemdNotifier.FromEnvironment(v => v == SystemdEnvironment.NotifySocket ? missing : null, Environment.ProcessId, _log)!;

        notifier.Notify("READY=1");
        notifier.Notify("WATCHDOG=1");

        Assert.Single(_log.Lines, l => l.Contains("Cannot notify systemd (READY=1 to " + missing, StringComparison.Ordinal));
        Assert.False(_log.Contains("WATCHDOG=1 to"), _log.Dump());
    }

    [Theory]
    [InlineData("3000000", null, 1500.0)]
    [InlineData("3000000", "self", 1500.0)]
    [InlineData("3000000", "1", null)]
    [InlineData(null, null, null)]
    [InlineData("soon", null, null)]
    public void Watchdog_IsHalfOfWatchdogUsec_WhenItIsThisProcesss(string? usec, string? pid, double? expectedMilliseconds)
    {
        string? watchdogPid = pid == "self" ? Environment.ProcessId.ToString() : pid;
        var environment = new Dictionary<string, string?>
        {
            [SystemdEnvironment.NotifySocket] = Path.Combine(_folder, "notify"),
            [SystemdEnvironment.WatchdogMicroseconds] = usec,
            [SystemdEnvironment.WatchdogPid] = watchdogPid,
        };
        using var notifier = SystemdNotifier.FromEnvironment(v => environment.GetValueOrDefault(v), Environment.ProcessId, _log)!;

        Assert.Equal(expectedMilliseconds, notifier.WatchdogInterval?.TotalMilliseconds);
    }

    [Theory]
    [InlineData(true, 1500.0)]
    [InlineData(false, null)]
    public void Watchdog_OfTheOldMasterOfAnUpgrade_IsTheNewMastersToo(bool startedByThatMaster, double? expectedMilliseconds)
    {
        var environment = new Dictionary<string, string?>
        {
            [SystemdEnvironment.NotifySocket] = Path.Combine(_folder, "notify"),
            [SystemdEnvironment.WatchdogMicroseconds] = "3000000",
            [SystemdEnvironment.WatchdogPid] = "4242",
        };
        using var notifier = SystemdNotifier.FromEnvironment(v => environment.GetValueOrDefault(v), Environment.ProcessId, _log,
            upgradeParent: startedByThatMaster ? 4242 : 4343)!;

        Assert.Equal(expectedMilliseconds, notifier.WatchdogInterval?.TotalMilliseconds);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
