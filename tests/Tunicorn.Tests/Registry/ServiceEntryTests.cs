using System.Text.Json;
using Tunicorn.Registry;

namespace Tunicorn.Tests.Registry;

public sealed class ServiceEntryTests
{
    private static readonly ServiceEntry Entry = new(
        "10.0.0.5", 9090, 4242, 2, "compact", "framed", false, ["Calculator"], "1.2.3",
        new DateTimeOffset(2026, 1, 2, 3, 4, 5, 678, TimeSpan.Zero), JsonDocument.Parse("""{"zone":"a"}""").RootElement);

    [Fact]
    public void ToJson_Tunicorn_HoldsTheDocumentedFields()
    {
        Assert.Equal(
            """{"host":"10.0.0.5","port":9090,"pid":4242,"weight":2,"protocol":"compact","transport":"framed","multiplexed":false,"services":["Calculator"],"version":"1.2.3","start_time":"2026-01-02T03:04:05.678Z","metadata":{"zone":"a"}}""",
            Entry.ToJson(RegistryEntryFormat.Tunicorn));
    }

    [Fact]
    public void ToJson_Serverset_IsTheFinagleMember() =>
        Assert.Equal(
            """{"serviceEndpoint":{"host":"10.0.0.5","port":9090},"additionalEndpoints":{},"status":"ALIVE","shard":0}""",
            Entry.ToJson(RegistryEntryFormat.Serverset));

    [Fact]
    public void FromListeners_WildcardBind_AnnouncesTheAdvertisedHost_AndSkipsUnixSockets()
    {
        var endpoints = ServiceEndpoint.FromListeners(["0.0.0.0:9090", "[::]:9091", "127.0.0.1:9092", "unix:/run/x.sock"], "svc.example");

        Assert.Equal(["svc.example:9090", "svc.example:9091", "127.0.0.1:9092"], endpoints.Select(e => $"{e.Host}:{e.Port}"));
    }

    [Fact]
    public void ResolvePath_WithoutPath_IsUnderTheTunicornRoot() =>
        Assert.Equal("/tunicorn/services/Calculator", new RegistryOptions().ResolvePath("Calculator"));
}
