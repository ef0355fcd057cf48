using Tunicorn.Client;
using Tunicorn.IntegrationTests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests.Registry;

/// <summary>Acceptance 3 and 4 with etcd, plus: the client speaks each server's announced protocol and transport.</summary>
public sealed class EtcdEndToEndTests(ITestOutputHelper output) : RegistryEndToEndTests(output)
{
    private static readonly (string Protocol, string Transport)[] WireFormats =
        [("binary", "buffered"), ("binary", "framed"), ("compact", "buffered"), ("compact", "framed"), ("json", "buffered"), ("json", "framed")];

    private protected override Task<IRegistryUnderTest> StartRegistryAsync() => EtcdUnderTest.StartAsync(Output);

    [Fact]
    public async Task OneServerPerWireFormat_UnderOneService_TheClientSpeaksWhatEachEntryAnnounces()
    {
        await using var registry = await StartRegistryAsync();
        string service = EtcdRegistrationTests.Service("wire");
        var masters = await StartMastersAsync(registry, service, WireFormats.Length,
            i => ["--thrift-protocol-factory", WireFormats[i].Protocol, "--thrift-transport-factory", WireFormats[i].Transport]);
        await using var _ = new AsyncDisposables(masters);
        await using var client = Client(registry, service);
        await WaitForServersAsync(client, WireFormats.Length);

        var answers = new List<int>();
        for (int i = 0; i < 4 * WireFormats.Length; i++)
            answers.Add(await client.CallAsync((c, ct) => c.pid(ct)));

        var workers = masters.Select(m => m.WorkerPids().Single()).ToHashSet();
        Assert.True(workers.SetEquals(answers), $"every server answers in its own format; answered by {string.Join(", ", answers.Distinct())}");
        Assert.Equal(3, await client.CallAsync((c, ct) => c.add(1, 2, ct)));
    }
}
