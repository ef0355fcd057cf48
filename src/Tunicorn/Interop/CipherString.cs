using System.Net.Security;

namespace Tunicorn.Interop;

/// <summary>Reads an OpenSSL cipher string (ciphers(1)) with the system's OpenSSL, as gunicorn's ciphers setting is read by Python's ssl module.</summary>
internal static class CipherString
{
    /// <summary>
    /// The suites <paramref name="ciphers"/> names for TLS 1.2 and older, followed by OpenSSL's TLS 1.3 suites (which a
    /// cipher string does not change), in OpenSSL's order of preference.
    /// </summary>
    /// <exception cref="ArgumentException">The string names no cipher, or the system's OpenSSL 3 cannot be loaded.</exception>
    public static IReadOnlyList<TlsCipherSuite> Resolve(string ciphers)
    {
        ArgumentNullException.ThrowIfNull(ciphers);
        nint context = 0;
        try
        {
            context = OpenSsl.SSL_CTX_new(OpenSsl.TLS_server_method());
            if (context == 0)
                throw new ArgumentException("OpenSSL could not create a TLS context to read the cipher string");
            if (OpenSsl.SSL_CTX_set_cipher_list(context, ciphers) != 1)
            {
                // Leave no error on this thread's OpenSSL queue for .NET's own TLS calls to trip over.
                OpenSsl.ERR_clear_error();
                throw new ArgumentException("names no cipher OpenSSL knows (see openssl ciphers -v)");
            }
            nint stack = OpenSsl.SSL_CTX_get_ciphers(context);
            int count = stack == 0 ? 0 : OpenSsl.OPENSSL_sk_num(stack);
            var suites = new List<TlsCipherSuite>(count);
            for (int i = 0; i < count; i++)
                suites.Add((TlsCipherSuite)OpenSsl.SSL_CIPHER_get_protocol_id(OpenSsl.OPENSSL_sk_value(stack, i)));
            return suites;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            throw new ArgumentException($"cannot be read: the system's OpenSSL 3 (libssl.so.3) is not available ({e.Message})", e);
        }
        finally
        {
            if (context != 0)
                OpenSsl.SSL_CTX_free(context);
        }
    }
}
