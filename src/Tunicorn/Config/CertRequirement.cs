namespace Tunicorn.Config;

/// <summary>Whether TLS clients must present a certificate (the cert_reqs setting; Python's ssl.CERT_* values).</summary>
public enum CertRequirement
{
    /// <summary>No client certificate is asked for (ssl.CERT_NONE, 0).</summary>
    None,
    /// <summary>A certificate is asked for; a client without one is served, one with a bad one is refused (ssl.CERT_OPTIONAL, 1).</summary>
    Optional,
    /// <summary>A client without a certificate signed by ca_certs is refused (ssl.CERT_REQUIRED, 2).</summary>
    Required,
}
