using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Tunicorn.IntegrationTests.Conformance;

/// <summary>
/// Certificates made at test time (nothing secret is committed): a CA, a server certificate for 127.0.0.1 and a
/// client certificate both signed by it, and a client certificate signed by another CA, written as PEM files.
/// </summary>
internal sealed class TestCertificates : IDisposable
{
    private TestCertificates(string directory)
    {
        Directory = directory;
    }

    public string Directory { get; }
    public string CaCert => Path.Combine(Directory, "ca.pem");
    public string ServerCert => Path.Combine(Directory, "server.pem");
    public string ServerKey => Path.Combine(Directory, "server.key");
    public string ClientCert => Path.Combine(Directory, "client.pem");
    public string ClientKey => Path.Combine(Directory, "client.key");
    public string StrangerCert => Path.Combine(Directory, "stranger.pem");
    public string StrangerKey => Path.Combine(Directory, "stranger.key");

    public static TestCertificates Create()
    {
        string directory = Path.Combine(Path.GetTempPath(), "tunicorn-it", $"tls-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}");
        System.IO.Directory.CreateDirectory(directory);
        var files = new TestCertificates(directory);

        using var ca = CreateCa("CN=Tunicorn Test CA");
        using var otherCa = CreateCa("CN=Someone Else's CA");
        File.WriteAllText(files.CaCert, ca.ExportCertificatePem());

        var serverUsage = new OidCollection { new("1.3.6.1.5.5.7.3.1") };
        Write(Issue(ca, "CN=127.0.0.1", serverUsage, san: true), files.ServerCert, files.ServerKey);
        var clientUsage = new OidCollection { new("1.3.6.1.5.5.7.3.2") };
        Write(Issue(ca, "CN=well-behaved client", clientUsage, san: false), files.ClientCert, files.ClientKey);
        Write(Issue(otherCa, "CN=stranger", clientUsage, san: false), files.StrangerCert, files.StrangerKey);
        return files;
    }

    private static X509Certificate2 CreateCa(string subject)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
    }

    private static (X509Certificate2 Certificate, RSA Key) Issue(X509Certificate2 ca, string subject, OidCollection usage, bool san)
    {
        var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(usage, false));
        if (san)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(System.Net.IPAddress.Loopback);
            names.AddDnsName("localhost");
            request.CertificateExtensions.Add(names.Build());
        }
        byte[] serial = new byte[12];
        RandomNumberGenerator.Fill(serial);
        serial[0] &= 0x7F;
        var certificate = request.Create(ca, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(2), serial);
        return (certificate, key);
    }

    private static void Write((X509Certificate2 Certificate, RSA Key) issued, string certificatePath, string keyPath)
    {
        using (issued.Certificate)
        using (issued.Key)
        {
            File.WriteAllText(certificatePath, issued.Certificate.ExportCertificatePem());
            File.WriteAllText(keyPath, issued.Key.ExportPkcs8PrivateKeyPem());
        }
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
