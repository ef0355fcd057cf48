using System.Text.RegularExpressions;
using Tunicorn.IntegrationTests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests.Conformance;

/// <summary>
/// TLS (certfile, keyfile, ca_certs, cert_reqs), with certificates made at test time: Apache Thrift's Python TLS
/// client is served; a client without a certificate, with one from another CA, or without TLS at all is refused
/// with the reason logged, and the workers live on.
/// </summary>
public sealed class TlsTests(ITestOutputHelper output)
{
    private static readonly TimeSpan LogDeadline = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task CertReqsRequired_ServesClientsWithACertificateFromCaCerts_AndRefusesTheOthers()
    {
        using var certificates = TestCertificates.Create();
        int port = FreePort.Next();
        await using var server = await StartAsync(certificates, port, "required");
        var workers = server.WorkerPids();

        var served = await PythonAsync(port, certificates, certificates.ClientCert, certificates.ClientKey);
        ThriftTestChecks.AssertPythonPassed(served, Cells);

        var anonymous = await PythonAsync(port, certificates, certificate: null, key: null, cells: "binary:buffered");
        Assert.NotEqual(0, anonymous.ExitCode);
        await server.WaitForLogAsync(TlsRefused("the client sent no certificate \\(cert_reqs required\\)"), LogDeadline);

        var stranger = await PythonAsync(port, certificates, certificates.StrangerCert, certificates.StrangerKey, cells: "binary:buffered");
        Assert.NotEqual(0, stranger.ExitCode);
        await server.WaitForLogAsync(TlsRefused("the client certificate 'CN=stranger' is not signed by ca_certs"), LogDeadline);

        // A client that does not speak TLS at all.
        var plain = await ThriftTestPython.ClientAsync([.. ThriftTestPython.Endpoint(port), "--cells", "binary:buffered", "--timeout", "5"]);
        Assert.NotEqual(0, plain.ExitCode);
        await server.WaitForLogAsync(TlsRefused(".+"), LogDeadline);

        Assert.Equal(workers, server.WorkerPids());
        Assert.Empty(server.WorkerExits());
    }

    [Fact]
    public async Task CertReqsOptional_ServesClientsWithoutACertificate_ButRefusesAWrongOne()
    {
        using var certificates = TestCertificates.Create();
        int port = FreePort.Next();
        await using var server = await StartAsync(certificates, port, "optional");

        ThriftTestChecks.AssertPythonPassed(await PythonAsync(port, certificates, certificate: null, key: null), Cells);
        ThriftTestChecks.AssertPythonPassed(await PythonAsync(port, certificates, certificates.ClientCert, certificates.ClientKey), Cells);

        var stranger = await PythonAsync(port, certificates, certificates.StrangerCert, certificates.StrangerKey, cells: "binary:buffered");
        Assert.NotEqual(0, stranger.ExitCode);
        await server.WaitForLogAsync(TlsRefused("the client certificate 'CN=stranger' is not signed by ca_certs"), LogDeadline);
    }

    [Fact]
    public async Task KeyfileWithoutCertfile_StopsTheMasterWithTheReason()
    {
        using var certificates = TestCertificates.Create();
        int port = FreePort.Next();
        await using var server = TunicornServer.Start(
            [ThriftTestPython.ThriftTestApp, "-b", $"127.0.0.1:{port}", "--keyfile", certificates.ServerKey], output);
        Assert.NotEqual(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains(server.Log.Snapshot(), line => line.Contains("keyfile, ca_certs and cert_reqs need certfile", StringComparison.Ordinal));
    }

    private static readonly string[] Cells = ["binary:buffered", "compact:framed", "json:buffered"];

    private Task<TunicornServer> StartAsync(TestCertificates certificates, int port, string certReqs) =>
        TunicornServer.StartAsync(ThriftTestPython.ThriftTestApp, port, workers: 2,
        [
            "-k", "async", "--thrift-protocol-factory", "auto", "--thrift-transport-factory", "auto", "--thrift-client-timeout", "5",
            "--certfile", certificates.ServerCert, "--keyfile", certificates.ServerKey, "--ca-certs", certificates.CaCert, "--cert-reqs", certReqs,
        ], output);

    private static Task<PythonResult> PythonAsync(int port, TestCertificates certificates, string? certificate, string? key,
        string cells = "binary:buffered,compact:framed,json:buffered") =>
        ThriftTestPython.ClientAsync(
        [
            .. ThriftTestPython.Endpoint(port), "--cells", cells, "--ssl", "--ca", certificates.CaCert, "--timeout", "10",
            .. certificate is null ? Array.Empty<string>() : ["--cert", certificate, "--key", key!],
        ]);

    private static Regex TlsRefused(string reason) =>
        new($@"from 127\.0\.0\.1:\d+: TLS handshake failed: {reason}", RegexOptions.CultureInvariant);
}
