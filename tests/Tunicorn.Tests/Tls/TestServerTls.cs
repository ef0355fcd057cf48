using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Tunicorn.Config;
using Tunicorn.Tls;

namespace Tunicorn.Tests.Tls;

/// <summary>
/// A <see cref="ServerTls"/> for 127.0.0.1 made at test time: a self-signed certificate written as PEM files (as an
/// operator gives them), read through <see cref="ServerTls.FromSettings"/>, then deleted.
/// </summary>
internal static class TestServerTls
{
    public static ServerTls Create(double? clientTimeout = null)
    {
        string directory = Path.Combine(Path.GetTempPath(), $"tunicorn-tls-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        try
        {
            string certFile = Path.Combine(directory, "server.pem");
            string keyFile = Path.Combine(directory, "server.key");
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(System.Net.IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1));
            File.WriteAllText(certFile, certificate.ExportCertificatePem());
            File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
            return ServerTls.FromSettings(new Settings { CertFile = certFile, KeyFile = keyFile, ThriftClientTimeout = clientTimeout })!;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
