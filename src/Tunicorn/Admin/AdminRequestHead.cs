using System.Text;

namespace Tunicorn.Admin;

/// <summary>
/// The head of one HTTP/1.x request to the admin endpoint, parsed strictly: what a metrics scraper, curl or a
/// browser sends is accepted; anything else is refused with the status that says why (RFC 9110/9112).
/// </summary>
internal sealed class AdminRequestHead
{
    /// <summary>More header lines than any client sends for a GET: beyond, 431.</summary>
    public const int MaxHeaders = 64;

    private AdminRequestHead(string method, string path, string version, Dictionary<string, string> headers)
    {
        Method = method;
        Path = path;
        Version = version;
        Headers = headers;
    }

    public string Method { get; }
    /// <summary>The target's path, without the query.</summary>
    public string Path { get; }
    public string Version { get; }
    /// <summary>Header fields by lower-case name; repeated fields joined with ", ".</summary>
    public IReadOnlyDictionary<string, string> Headers { get; }

    public string? Header(string name) => Headers.GetValueOrDefault(name);

    /// <summary>Parses the bytes before the empty line (the CRLF CRLF excluded).</summary>
    /// <returns>The head, or null with <paramref name="status"/> and <paramref name="reason"/> to answer.</returns>
    public static AdminRequestHead? Parse(ReadOnlySpan<byte> head, out int status, out string reason)
    {
        status = 400;
        reason = "";
        // Header fields are ASCII in practice; a byte above 0x7e or a control character is refused rather than guessed at.
        foreach (byte b in head)
        {
            if (b is (< 0x20 and not (byte)'\r' and not (byte)'\n' and not (byte)'\t') or > 0x7e)
            {
                reason = "the request head holds a control or non-ASCII byte";
                return null;
            }
        }
        string[] lines = Encoding.ASCII.GetString(head).Split("\r\n");
        string[] requestLine = lines[0].Split(' ');
        if (requestLine.Length != 3 || requestLine.Any(p => p.Length == 0))
        {
            reason = "the request line is not METHOD SP TARGET SP HTTP-VERSION";
            return null;
        }
        var (method, target, version) = (requestLine[0], requestLine[1], requestLine[2]);
        if (!method.All(IsTokenChar))
        {
            reason = "the method is not a token";
            return null;
        }
        if (version is not ("HTTP/1.1" or "HTTP/1.0"))
        {
            if (version.StartsWith("HTTP/", StringComparison.Ordinal))
            {
                status = 505;
                reason = $"HTTP version {version[5..]} is not supported; use HTTP/1.1";
            }
            else
            {
                reason = "the request line does not end with HTTP/1.x";
            }
            return null;
        }
        if (!target.StartsWith('/'))
        {
            reason = "the target is not a path (origin-form, starting with /)";
            return null;
        }
        if (lines.Length - 1 > MaxHeaders)
        {
            status = 431;
            reason = $"more than {MaxHeaders} header fields";
            return null;
        }
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string line in lines.Skip(1))
        {
            if (line.Length == 0)
                continue;
            if (line[0] is ' ' or '\t')
            {
                reason = "obsolete line folding in the header fields";
                return null;
            }
            int colon = line.IndexOf(':');
            if (colon <= 0 || !line.AsSpan(0, colon).ToString().All(IsTokenChar))
            {
                reason = "a header field is not NAME: VALUE";
                return null;
            }
            string name = line[..colon].ToLowerInvariant();
            string value = line[(colon + 1)..].Trim(' ', '\t');
            headers[name] = headers.TryGetValue(name, out string? earlier) ? earlier + ", " + value : value;
        }
        if (version == "HTTP/1.1" && !headers.ContainsKey("host"))
        {
            reason = "an HTTP/1.1 request without a Host header";
            return null;
        }
        if (headers.ContainsKey("transfer-encoding") || (headers.TryGetValue("content-length", out string? length) && length != "0"))
        {
            reason = "a request body is not accepted here";
            return null;
        }
        int query = target.IndexOfAny(['?', '#']);
        return new AdminRequestHead(method, query < 0 ? target : target[..query], version, headers);
    }

    private static bool IsTokenChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c);
}
