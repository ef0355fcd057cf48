using System.Runtime.InteropServices;

namespace Tunicorn.Interop;

/// <summary>
/// The few calls of the system's OpenSSL 3 (the library .NET's own TLS uses on Linux) that turn an OpenSSL cipher string
/// into the list of suites it names: .NET takes cipher suites only as a list (CipherSuitesPolicy).
/// </summary>
internal static partial class OpenSsl
{
    private const string Ssl = "libssl.so.3";
    private const string Crypto = "libcrypto.so.3";

    [LibraryImport(Ssl)]
    public static partial nint TLS_server_method();

    [LibraryImport(Ssl)]
    public static partial nint SSL_CTX_new(nint method);

    [LibraryImport(Ssl)]
    public static partial void SSL_CTX_free(nint context);

    [LibraryImport(Ssl, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int SSL_CTX_set_cipher_list(nint context, string ciphers);

    [LibraryImport(Ssl)]
    public static partial nint SSL_CTX_get_ciphers(nint context);

    [LibraryImport(Ssl)]
    public static partial ushort SSL_CIPHER_get_protocol_id(nint cipher);

    [LibraryImport(Crypto)]
    public static partial int OPENSSL_sk_num(nint stack);

    [LibraryImport(Crypto)]
    public static partial nint OPENSSL_sk_value(nint stack, int index);

    [LibraryImport(Crypto)]
    public static partial void ERR_clear_error();
}
