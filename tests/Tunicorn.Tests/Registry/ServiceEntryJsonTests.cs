using System.Text;
using System.Text.Json;
using Tunicorn.Client.Discovery;
using Tunicorn.Registry;

namespace Tunicorn.Tests.Registry;

/// <summary>What the server writes into the registry is what the client reads back: both ends of the entry format.</summary>
public sealed class ServiceEntryJsonTests
{
    private static readonly ServiceEntry Entry = new(
        "10.0.0.5", 9090, 4242, 2, "compact", "framed", true, ["Calculator", "Echo"], "1.2.3",
        new DateTimeOffset(2026, 1, 2, 3, 4, 5, 678, TimeSpan.Zero), JsonDocument.Parse("""{"zone":"a"}""").RootElement);

    [Fact]
    public void TunicornEntry_ReadsBackEveryFieldAClientUses()
    {
        var server = Read(Entry.ToJson(RegistryEntryFormat.Tunicorn));

        Assert.Equal(new AnnouncedServer("10.0.0.5", 9090, 2, "compact", "framed", true, server.Services, 4242, "1.2.3"), server);
        Assert.Equal(["Calculator", "Echo"], server.Services);
    }

    [Fact]
    public void TunicornEntry_WithoutVersionOrMetadata_ReadsBackWithNoVersion()
    {
        var entry = Entry with { Host = "::1", Version = null, Metadata = null, Weight = 0, Multiplexed = false };

        var server = Read(entry.ToJson(RegistryEntryFormat.Tunicorn));

        Assert.Equal(("::1", 0, false, (string?)null), (server.Host, server.Weight, server.Multiplexed, server.Version));
    }

    [Fact]
    public void ServersetMember_ReadsBackWhereTheServerIs_AndTheDefaultsForTheRest()
    {
        var server = Read(Entry.ToJson(RegistryEntryFormat.Serverset));

        Assert.Equal(new AnnouncedServer("10.0.0.5", 9090), server);
        Assert.Equal(1, server.Weight);
        Assert.Null(server.Protocol);
        Assert.Null(server.Pid);
    }

    [Theory]
    [InlineData(RegistryEntryFormat.Tunicorn)]
    [InlineData(RegistryEntryFormat.Serverset)]
    public void ClientReader_ReadsWhatTheServerWrote(RegistryEntryFormat format)
    {
        var instance = ServiceEntryReader.TryRead("/tunicorn/services/Calculator/x", Encoding.UTF8.GetBytes(Entry.ToJson(format)), out var reason);

        Assert.Null(reason);
        Assert.Equal("10.0.0.5:9090", instance!.Address);
        Assert.Equal("/tunicorn/services/Calculator/x", instance.Id);
        Assert.Equal(format == RegistryEntryFormat.Tunicorn ? "compact" : null, instance.Protocol);
        Assert.Equal(format == RegistryEntryFormat.Tunicorn ? ["Calculator", "Echo"] : [], instance.Services);
    }

    [Fact]
    public void DefaultRoot_IsTheSameForTheServerAndTheClient()
    {
        Assert.Equal(RegistryOptions.DefaultRoot, ServicePaths.DefaultRoot);
        Assert.Equal(new RegistryOptions().ResolvePath("Calculator"), ServicePaths.For("Calculator"));
    }

    [Theory]
    [InlineData(null, "Calculator", "/tunicorn/services/Calculator")]
    [InlineData("/custom/path/", null, "/custom/path")]
    [InlineData("/custom/path", "Calculator", "/custom/path")]
    public void Resolve_APathWins_ElseTheServiceDefault(string? path, string? service, string expected) =>
        Assert.Equal(expected, RegistryPaths.Resolve(path, service, "Options"));

    [Fact]
    public void Resolve_NeitherPathNorService_NamesTheOptions() =>
        Assert.Contains("EtcdDiscoveryOptions needs", Assert.Throws<InvalidOperationException>(() => RegistryPaths.Resolve(null, null, "EtcdDiscoveryOptions")).Message);

    private static AnnouncedServer Read(string json)
    {
        var server = ServiceEntryJson.TryRead(Encoding.UTF8.GetBytes(json), out string? reason);
        Assert.Null(reason);
        return server!;
    }
}
