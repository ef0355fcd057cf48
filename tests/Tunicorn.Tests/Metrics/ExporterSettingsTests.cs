using Tunicorn.Master;
using Tunicorn.Metrics;

namespace Tunicorn.Tests.Metrics;

public sealed class ExporterSettingsTests
{
    [Theory]
    [InlineData(null, "")]
    [InlineData("", "")]
    [InlineData("orders", "orders.")]
    [InlineData("orders.", "orders.")]
    public void StatsdPrefix_GetsOneDotAfterIt_AsInGunicorn(string? prefix, string expected) =>
        Assert.Equal(expected, StatsdExporter.Prefix(prefix));

    [Theory]
    [InlineData("", "")]
    [InlineData("env:prod,team:a", "|#env:prod,team:a")]
    public void DogstatsdTags_AreTheDogStatsDSuffix(string tags, string expected) => Assert.Equal(expected, StatsdExporter.Tags(tags));

    [Theory]
    [InlineData("http://127.0.0.1:4318", "http://127.0.0.1:4318/v1/metrics")]
    [InlineData("http://collector:4318/", "http://collector:4318/v1/metrics")]
    [InlineData("https://collector/otlp/v1/metrics", "https://collector/otlp/v1/metrics")]
    public void OtlpEndpoint_GetsTheMetricsPathWhenItHasNone(string setting, string expected) =>
        Assert.Equal(expected, OtlpMetricsExporter.MetricsEndpoint(setting).ToString());

    [Theory]
    [InlineData("127.0.0.1:9090", "127.0.0.1:9090", "127.0.0.1:9090")]
    [InlineData("0.0.0.0:9090", "127.0.0.1:9090", "0.0.0.0:9090")]
    [InlineData("127.0.0.1:9090", "0.0.0.0:9090", "127.0.0.1:9090")]
    [InlineData("127.0.0.1:9090", "127.0.0.1:9191", null)]
    [InlineData("unix:/tmp/x.sock", "127.0.0.1:9090", null)]
    public void AdminBind_OnAThriftAddress_IsFound(string thrift, string admin, string? expected) =>
        Assert.Equal(expected, Arbiter.ThriftBindAt([thrift], ListenerSet.ParseEndPoint(admin)));
}
