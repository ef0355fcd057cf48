using Tunicorn.IntegrationTests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace Tunicorn.IntegrationTests.Conformance;

/// <summary>
/// ssl_version (the oldest TLS version allowed) and ciphers (an OpenSSL cipher string for TLS 1.2), checked with Python's
/// ssl module forcing an older version or another cipher: refused at the handshake, while an allowed client is served.
/// </summary>
public sealed class TlsVersionAndCipherTests(ITestOutputHelper output)
{
    [Fact]
    public async Task SslVersionTls13_RefusesATls12Client_AndServesTls13()
    {
        using var certificates = TestCertificates.Create();
        int port = FreePort.Next();
        await using var server = await StartAsync(certificates, port, ["--ssl-version", "TLSv1.3"]);

        var old = await HandshakeAsync(port, certificates, "--max-version", "TLSv1.2");
        Assert.Equal(3, old.ExitCode);
        var current = await HandshakeAsync(port, certificates);
        Assert.Equal(0, current.ExitCode);
        Assert.Equal("TLSv1.3", current.Json.GetProperty("version").GetString());
    }

    [Fact]
    public async Task SslVersionInGunicornsSpelling_TLSv1_2_ServesATls12Client()
    {
        using var certificates = TestCertificates.Create();
        int port = FreePort.Next();
        await using var server = await StartAsync(certificates, port, ["--ssl-version", "TLSv1_2"]);

        var result = await HandshakeAsync(port, certificates, "--max-version", "TLSv1.2");
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("TLSv1.2", result.Json.GetProperty("version").GetString());
    }

    [Fact]
    public async Task Ciphers_RefuseATls12ClientOfferingOnlyOtherCiphers_AndServeOneOfferingAListedCipher()
    {
        using var certificates = TestCertificates.Create();
        int port = FreePort.Next();
        await using var server = await StartAsync(certificates, port, ["--ciphers", "ECDHE-RSA-AES256-GCM-SHA384"]);

        var other = await HandshakeAsync(port, certificates, "--max-version", "TLSv1.2", "--ciphers", "ECDHE-RSA-AES128-GCM-SHA256");
        Assert.Equal(3, other.ExitCode);
        var listed = await HandshakeAsync(port, certificates, "--max-version", "TLSv1.2", "--ciphers", "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384");
        Assert.Equal(0, listed.ExitCode);
        Assert.Equal("ECDHE-RSA-AES256-GCM-SHA384", listed.Json.GetProperty("cipher").GetString());
        // TLS 1.3 keeps its own suites, as with gunicorn.
        Assert.Equal(0, (await HandshakeAsync(port, certificates)).ExitCode);
    }

    [Fact]
    public async Task WithoutTheseSettings_TheOlderVersionAndTheOtherCipherAreServed()
    {
        using var certificates = TestCertificates.Create();
        int port = FreePort.Next();
        await using var server = await StartAsync(certificates, port, []);

        Assert.Equal(0, (await HandshakeAsync(port, certificates, "--max-version", "TLSv1.2", "--ciphers", "ECDHE-RSA-AES128-GCM-SHA256")).ExitCode);
    }

    private Task<TunicornServer> StartAsync(TestCertificates certificates, int port, string[] arguments) =>
        TunicornServer.StartAsync(RepoPaths.CalculatorDll, port, workers: 1,
            ["--certfile", certificates.ServerCert, "--keyfile", certificates.ServerKey, .. arguments], output);

    private static Task<PythonResult> HandshakeAsync(int port, TestCertificates certificates, params string[] arguments) =>
        PythonClient.RunAsync("tls_handshake.py", ["--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--ca", certificates.CaCert, .. arguments]);
}
