using System.Text;
using Tunicorn.Client.Discovery;

namespace Tunicorn.Tests.Client;

public sealed class ServiceEntryReaderTests
{
    [Fact]
    public void TryRead_TunicornEntry_ReadsEveryField()
    {
        const string json = """
            {"host":"10.1.2.3","port":9090,"pid":77,"weight":2,"protocol":"compact","transport":"framed","multiplexed":true,
             "services":["Calculator","Echo"],"version":"1.2.0","start_time":"2026-01-02T03:04:05.000Z","metadata":{"zone":"a"}}
            """;

        var instance = Read("/k/1", json, out var reason);

        Assert.Null(reason);
        Assert.Equal(new ServiceInstance("/k/1", "10.1.2.3", 9090), instance! with { Weight = 1, Protocol = null, Transport = null, Multiplexed = false, Services = [], Pid = null, Version = null });
        Assert.Equal(2, instance.Weight);
        Assert.Equal("compact", instance.Protocol);
        Assert.Equal("framed", instance.Transport);
        Assert.True(instance.Multiplexed);
        Assert.Equal(["Calculator", "Echo"], instance.Services);
        Assert.Equal(77, instance.Pid);
        Assert.Equal("1.2.0", instance.Version);
    }

    [Fact]
    public void TryRead_ServersetMember_ReadsTheEndpoint()
    {
        var instance = Read("member_0000000001",
            """{"serviceEndpoint":{"host":"h1","port":9091},"additionalEndpoints":{},"status":"ALIVE","shard":0}""", out _);

        Assert.Equal("h1:9091", instance!.Address);
        Assert.Null(instance.Protocol);
        Assert.Equal(1, instance.Weight);
    }

    [Theory]
    [InlineData("""{"serviceEndpoint":{"host":"h1","port":9091},"status":"DEAD"}""", "status is DEAD")]
    [InlineData("""{"host":"h1"}""", "no port")]
    [InlineData("""{"port":1}""", "no host")]
    [InlineData("""[1,2]""", "not a JSON object")]
    [InlineData("""not json""", "not JSON")]
    public void TryRead_UnusableEntry_IsRefusedWithAReason(string json, string expected)
    {
        Assert.Null(Read("x", json, out var reason));
        Assert.Contains(expected, reason);
    }

    private static ServiceInstance? Read(string id, string json, out string? reason) =>
        ServiceEntryReader.TryRead(id, Encoding.UTF8.GetBytes(json), out reason);
}
