namespace Tunicorn.Config;

/// <summary>The oldest TLS version the server accepts (ssl_version).</summary>
public enum TlsMinimumVersion
{
    /// <summary>Whatever the system's TLS library allows (TLS 1.2 and 1.3 on current Linux).</summary>
    Default,
    Tls10,
    Tls11,
    Tls12,
    Tls13,
}
