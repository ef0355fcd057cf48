namespace Tunicorn.Config;

/// <summary>TLS on every listening socket, with gunicorn's setting names (its "SSL" section).</summary>
public static class TlsSettings
{
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
}
