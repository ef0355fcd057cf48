using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Tunicorn.Config;

namespace Tunicorn.Thrift;

/// <summary>
/// TLS for every connection of a worker (certfile, keyfile, ca_certs, cert_reqs): the server certificate, loaded once,
/// and the client-certificate rule. Client certificates are checked against ca_certs only, not the system's CAs, so
/// that a certificate from any public CA does not open a service meant for its own clients.
/// </summary>
public sealed class ServerTls
{
    /// <summary>A client that has not finished its handshake in this time is closed, when thrift_client_timeout is unset. Kestrel's default handshake timeout.</summary>
    public static readonly TimeSpan DefaultHandshakeTimeout = TimeSpan.FromSeconds(10);

    private readonly SslStreamCertificateContext _certificate;
    private readonly X509Certificate2Collection _trusted;

    private ServerTls(SslStreamCertificateContext certificate, X509Certificate2Collection trusted, CertRequirement clientCertificates)
    {
        _certificate = certificate;
        _trusted = trusted;
        ClientCertificates = clientCertificates;
    }

    public CertRequirement ClientCertificates { get; }

    /// <summary>The TLS settings, or null when certfile is unset (plain TCP).</summary>
    /// <exception cref="ArgumentException">A file is missing or unreadable, or the settings contradict each other; the message names the setting.</exception>
    public static ServerTls? FromSettings(Settings settings)
    {
        if (settings.CertFile is not { } certFile)
        {
            if (settings.KeyFile is not null || settings.CaCerts is not null || settings.CertReqs != CertRequirement.None)
                throw new ArgumentException("keyfile, ca_certs and cert_reqs need certfile: TLS is off without a server certificate");
            return null;
        }
        if (settings.CertReqs != CertRequirement.None && settings.CaCerts is null)
            throw new ArgumentException($"cert_reqs {settings.CertReqs.ToString().ToLowerInvariant()} needs ca_certs: the CAs client certificates must be signed by");

        try
        {
            var leaf = X509Certificate2.CreateFromPemFile(certFile, settings.KeyFile);
            // The file may hold the chain after the leaf; clients that lack the intermediates need them sent.
            var chain = new X509Certificate2Collection();
            chain.ImportFromPemFile(certFile);
            var intermediates = new X509Certificate2Collection(chain.Where(c => c.Thumbprint != leaf.Thumbprint).ToArray());
            var trusted = new X509Certificate2Collection();
            if (settings.CaCerts is { } caCerts)
                trusted.ImportFromPemFile(caCerts);
            if (settings.CaCerts is not null && trusted.Count == 0)
                throw new ArgumentException($"ca_certs {settings.CaCerts}: no PEM certificate in the file");
            return new ServerTls(SslStreamCertificateContext.Create(leaf, intermediates, offline: true), trusted, settings.CertReqs);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"certfile {certFile}{(settings.KeyFile is { } key ? $", keyfile {key}" : "")}" +
                $"{(settings.CaCerts is { } ca ? $", ca_certs {ca}" : "")}: {e.Message}", e);
        }
    }

    /// <summary>
    /// The options of one handshake. <paramref name="rejection"/> is set to why a client certificate was refused, for
    /// the log line (the handshake itself only reports that the remote certificate was invalid).
    /// </summary>
    internal SslServerAuthenticationOptions CreateOptions(Action<string> rejection) => new()
    {
        ServerCertificateContext = _certificate,
        ClientCertificateRequired = ClientCertificates != CertRequirement.None,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        EnabledSslProtocols = SslProtocols.None, // the system's choice: TLS 1.2 and 1.3 on current Linux
        RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
        {
            if (ClientCertificates == CertRequirement.None)
                return true;
            if (certificate is null)
            {
                if (ClientCertificates == CertRequirement.Optional)
                    return true;
                rejection("the client sent no certificate (cert_reqs required)");
                return false;
            }
            return Verify(certificate, rejection);
        },
    };

    private bool Verify(X509Certificate certificate, Action<string> rejection)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_trusted);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var presented = new X509Certificate2(certificate);
        if (chain.Build(presented))
            return true;
        string status = string.Join(", ", chain.ChainStatus.Select(s => s.Status).Distinct());
        rejection($"the client certificate '{presented.Subject}' is not signed by ca_certs ({status})");
        return false;
    }
}
