using Tunicorn.Systemd;
using Tunicorn.Tests.Master;

namespace Tunicorn.Tests.Systemd;

/// <summary>Which LISTEN_* environments the master takes sockets from (the sockets themselves: SystemdTests, integration).</summary>
public sealed class SocketActivationTests
{
    private readonly LogRecorder _log = new();

    [Fact]
    public void WithoutListenFds_NoSocketIsTaken()
    {
        Assert.Empty(SocketActivation.FromEnvironment(_ => null, 1234, _log));
        Assert.Empty(_log.Lines);
    }

    [Theory]
    [InlineData("999")]
    [InlineData(null)]
    public void SocketsPassedToAnotherPid_AreNotTaken_AndTheLogSaysSo(string? listenPid)
    {
        var environment = new Dictionary<string, string?> { [SystemdEnvironment.ListenFds] = "1", [SystemdEnvironment.ListenPid] = listenPid };

        Assert.Empty(SocketActivation.FromEnvironment(v => environment.GetValueOrDefault(v), 1234, _log));
        Assert.True(_log.Contains($"LISTEN_FDS is set for pid {listenPid ?? "(unset)"}, not this master (1234)"), _log.Dump());
    }

    [Fact]
    public void ACountThatIsNotANumber_IsRefused()
    {
        var environment = new Dictionary<string, string?> { [SystemdEnvironment.ListenFds] = "two", [SystemdEnvironment.ListenPid] = "1234" };

        var refused = Assert.Throws<InvalidOperationException>(() => SocketActivation.FromEnvironment(v => environment.GetValueOrDefault(v), 1234, _log));
        Assert.Equal("LISTEN_FDS=two is not a number of descriptors", refused.Message);
    }
}
