using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Tunicorn.Config;
using Tunicorn.Thrift;

namespace Tunicorn.Tls;

/// <summary>
/// TLS for every connection of a worker (certfile, keyfile, ca_certs, cert_reqs): the server certificate, loaded once,
/// the client-certificate rule, and the handshake that gives a connection its <see cref="TlsEngine"/>. Client
/// certificates are checked against ca_certs only, not the system's CAs, so that a certificate from any public CA does
/// not open a service meant for its own clients.
/// </summary>
internal sealed partial class ServerTls
{
    /// <summary>A client that has not finished its handshake in this time is closed, when thrift_client_timeout is unset. Kestrel's default handshake timeout.</summary>
    public static readonly TimeSpan DefaultHandshakeTimeout = TimeSpan.FromSeconds(10);

    private readonly SslStreamCertificateContext _certificate;
    private readonly X509Certificate2Collection _trusted;

    private readonly SslProtocols _protocols;
    private readonly CipherSuitesPolicy? _cipherSuites;

    private ServerTls(SslStreamCertificateContext certificate, X509Certificate2Collection trusted, CertRequirement clientCertificates,
        SslProtocols protocols, CipherSuitesPolicy? cipherSuites)
    {
        _certificate = certificate;
        _trusted = trusted;
        ClientCertificates = clientCertificates;
        _protocols = protocols;
        _cipherSuites = cipherSuites;
    }

    public CertRequirement ClientCertificates { get; }

    /// <summary>How long a client may take to finish its handshake: thrift_client_timeout, else <see cref="DefaultHandshakeTimeout"/>.</summary>
    public TimeSpan HandshakeTimeout { get; private init; } = DefaultHandshakeTimeout;

    /// <summary>The TLS settings, or null when certfile is unset (plain TCP).</summary>
    /// <exception cref="ArgumentException">A file is missing or unreadable, or the settings contradict each other; the message names the setting.</exception>
    public static ServerTls? FromSettings(Settings settings)
    {
        if (settings.CertFile is not { } certFile)
        {
            if (settings.KeyFile is not null || settings.CaCerts is not null || settings.CertReqs != CertRequirement.None)
                throw new ArgumentException("keyfile, ca_certs and cert_reqs need certfile: TLS is off without a server certificate");
            if (settings.SslVersion != TlsMinimumVersion.Default || settings.Ciphers is not null)
                throw new ArgumentException("ssl_version and ciphers need certfile: TLS is off without a server certificate");
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
            // The validator already read the cipher string in the master; read again here, in the worker that serves.
            CipherSuitesPolicy? cipherSuites = settings.Ciphers is { } ciphers ? CipherPolicy(ciphers) : null;
            return new ServerTls(SslStreamCertificateContext.Create(leaf, intermediates, offline: true), trusted, settings.CertReqs,
                ProtocolsFrom(settings.SslVersion), cipherSuites)
            {
                // As ThriftConnectionOptions.HandshakeTimeout, which bounds the PROXY header the same way.
                HandshakeTimeout = settings.ThriftClientTimeout is double s && s > 0 ? TimeSpan.FromSeconds(s) : DefaultHandshakeTimeout,
            };
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"certfile {certFile}{(settings.KeyFile is { } key ? $", keyfile {key}" : "")}" +
                $"{(settings.CaCerts is { } ca ? $", ca_certs {ca}" : "")}: {e.Message}", e);
        }
    }

    /// <summary>ssl_version is the oldest version allowed: every newer one stays enabled.</summary>
    internal static SslProtocols ProtocolsFrom(TlsMinimumVersion minimum)
    {
#pragma warning disable SYSLIB0039 // TLS 1.0 and 1.1 are obsolete; an operator who names them as the minimum asks for them.
        return minimum switch
        {
            TlsMinimumVersion.Tls10 => SslProtocols.Tls | SslProtocols.Tls11 | SslProtocols.Tls12 | SslProtocols.Tls13,
            TlsMinimumVersion.Tls11 => SslProtocols.Tls11 | SslProtocols.Tls12 | SslProtocols.Tls13,
#pragma warning restore SYSLIB0039
            TlsMinimumVersion.Tls12 => SslProtocols.Tls12 | SslProtocols.Tls13,
            TlsMinimumVersion.Tls13 => SslProtocols.Tls13,
            _ => SslProtocols.None, // the system's choice: TLS 1.2 and 1.3 on current Linux
        };
    }

    private static CipherSuitesPolicy CipherPolicy(string ciphers)
    {
        if (OperatingSystem.IsWindows())
            throw new ArgumentException("ciphers: on Windows the cipher suites come from the system's policy, not from a setting");
        try
        {
            return new CipherSuitesPolicy(Interop.CipherString.Resolve(ciphers));
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"ciphers '{ciphers}' {e.Message}", e);
        }
    }

    /// <summary>
    /// The TLS handshake of an accepted connection, bounded by <see cref="HandshakeTimeout"/>: the engine that reads and
    /// writes through the authenticated stream, or null and the reason the connection closes (logged here with the peer,
    /// on the connection's <paramref name="logger"/>).
    /// </summary>
    public async Task<(TlsEngine? Engine, string? Failure)> AcceptAsync(Socket socket, ConnectionInfo connection, ILogger logger,
        CancellationToken abort)
    {
        string? rejection = null;
        var stream = new SslStream(new NetworkStream(socket, ownsSocket: false), leaveInnerStreamOpen: false);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(abort);
        deadline.CancelAfter(HandshakeTimeout);
        try
        {
            await stream.AuthenticateAsServerAsync(CreateOptions(reason => rejection = reason), deadline.Token);
            return (new TlsEngine(stream), null);
        }
        catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException or SocketException)
        {
            await stream.DisposeAsync();
            if (abort.IsCancellationRequested)
            {
                Log.Aborted(logger, connection.Id, connection.Peer, "in the TLS handshake");
                return (null, "aborted");
            }
            string reason = e is OperationCanceledException
                ? $"no TLS handshake within {HandshakeTimeout.TotalSeconds:0.###}s"
                : rejection ?? (e is AuthenticationException && e.InnerException is null
                    // SslStream's words for a first record that is no TLS handshake, e.g. a plain Thrift call.
                    ? $"{e.Message} (is the client using TLS?)"
                    : e.InnerException is { } inner ? $"{e.Message} ({inner.Message})" : e.Message);
            Log.HandshakeFailed(logger, connection.Id, connection.Peer, reason);
            return (null, "TLS handshake failed: " + reason);
        }
    }

    /// <summary>
    /// The options of one handshake. <paramref name="rejection"/> is set to why a client certificate was refused, for
    /// the log line (the handshake itself only reports that the remote certificate was invalid).
    /// </summary>
    private SslServerAuthenticationOptions CreateOptions(Action<string> rejection) => new()
    {
        ServerCertificateContext = _certificate,
        ClientCertificateRequired = ClientCertificates != CertRequirement.None,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        EnabledSslProtocols = _protocols,
        CipherSuitesPolicy = _cipherSuites,
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
