namespace Tunicorn.Config;

/// <summary>TLS on every listening socket, with gunicorn's setting names (its "SSL" section).</summary>
internal static class TlsSettings
{
    /// <summary>The server certificate (PEM); null serves plain TCP.</summary>
    public static readonly Setting<string> CertFile = new("certfile", SettingSection.Tls)
    {
        Flags = ["--certfile"],
        MetaVar = "FILE",
        // Same default as gunicorn: no TLS.
        Default = null,
        Validator = Validators.Path,
        Description = """
            The server certificate (PEM); setting it serves every connection over TLS.
            The file may hold the chain after the certificate, and the private key too when keyfile is unset.
            """,
    };

    public static readonly Setting<string> KeyFile = new("keyfile", SettingSection.Tls)
    {
        Flags = ["--keyfile"],
        MetaVar = "FILE",
        Default = null,
        Validator = Validators.Path,
        Description = """
            The private key of certfile (PEM, unencrypted).
            Unset reads the key from certfile.
            """,
    };

    public static readonly Setting<string> CaCerts = new("ca_certs", SettingSection.Tls)
    {
        Flags = ["--ca-certs"],
        MetaVar = "FILE",
        Default = null,
        Validator = Validators.Path,
        Description = """
            The CA certificates (PEM) that client certificates must be signed by.
            Only these are trusted for client certificates, not the system's CAs. Needed when cert_reqs is
            optional or required.
            """,
    };

    public static readonly Setting<CertRequirement> CertReqs = new("cert_reqs", SettingSection.Tls)
    {
        Flags = ["--cert-reqs"],
        MetaVar = "MODE",
        // Same default as gunicorn (ssl.CERT_NONE).
        Default = CertRequirement.None,
        Validator = Validators.Choice<CertRequirement>(
            ["none", "optional", "required"], [CertRequirement.None, CertRequirement.Optional, CertRequirement.Required],
            // gunicorn's values are the numbers of Python's ssl.CERT_* constants.
            [new("0", "none"), new("1", "optional"), new("2", "required")]),
        Description = """
            Whether clients must present a certificate: none, optional or required.
            optional refuses a client whose certificate is not signed by ca_certs but serves one without a
            certificate; required refuses both. gunicorn's numbers 0, 1 and 2 are accepted.
            """,
    };

    /// <summary>The oldest TLS version clients may use.</summary>
    public static readonly Setting<TlsMinimumVersion> SslVersion = new("ssl_version", SettingSection.Tls)
    {
        Flags = ["--ssl-version"],
        MetaVar = "VERSION",
        // Same default as gunicorn (ssl.PROTOCOL_TLS_SERVER): whatever the system allows.
        Default = TlsMinimumVersion.Default,
        Validator = Validators.Choice<TlsMinimumVersion>(
            ["TLS", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"],
            [TlsMinimumVersion.Default, TlsMinimumVersion.Tls10, TlsMinimumVersion.Tls11, TlsMinimumVersion.Tls12, TlsMinimumVersion.Tls13],
            // gunicorn's spellings: the names of Python's ssl.PROTOCOL_* constants, with or without the prefix, and their numbers.
            [
                new("TLS_SERVER", "TLS"), new("SSLv23", "TLS"), new("PROTOCOL_TLS", "TLS"), new("PROTOCOL_TLS_SERVER", "TLS"),
                new("PROTOCOL_SSLv23", "TLS"), new("2", "TLS"), new("17", "TLS"),
                new("TLSv1_1", "TLSv1.1"), new("TLSv1_2", "TLSv1.2"), new("TLSv1_3", "TLSv1.3"),
                new("PROTOCOL_TLSv1", "TLSv1"), new("PROTOCOL_TLSv1_1", "TLSv1.1"), new("PROTOCOL_TLSv1_2", "TLSv1.2"),
                new("3", "TLSv1"), new("4", "TLSv1.1"), new("5", "TLSv1.2"),
            ]),
        Description = """
            The oldest TLS version a client may use: TLS, TLSv1, TLSv1.1, TLSv1.2 or TLSv1.3.
            TLS leaves the choice to the system (TLS 1.2 and 1.3 on current Linux). A client that offers only older versions is refused at the handshake. gunicorn's spellings are
            accepted (TLSv1_2, TLS_SERVER, SSLv23, PROTOCOL_TLSv1_2, and the numbers of Python's ssl.PROTOCOL_*).
            TLSv1 and TLSv1.1 also need the system's OpenSSL to allow them.
            """,
    };

    /// <summary>An OpenSSL cipher string for TLS 1.2 and older; null keeps the system's default.</summary>
    public static readonly Setting<string> Ciphers = new("ciphers", SettingSection.Tls)
    {
        Flags = ["--ciphers"],
        MetaVar = "CIPHERS",
        // Same default as gunicorn: the TLS library's default.
        Default = null,
        Validator = Validators.OpenSslCipherList,
        Description = """
            The cipher suites TLS 1.2 and older may use, as an OpenSSL cipher string, e.g. ECDHE+AESGCM:!aNULL.
            Read by the system's OpenSSL (see ciphers(1)); a string that names no cipher is refused. TLS 1.3 keeps
            its own suites, as in gunicorn. Unset uses the system's default list.
            """,
    };
}
