using System.Text;

namespace Tunicorn.Admin;

/// <summary>What the admin endpoint answers to one request.</summary>
internal sealed record AdminResponse(int Status, string ContentType, byte[] Body)
{
    /// <summary>Extra header lines (each "Name: value"), e.g. Allow on a 405.</summary>
    public IReadOnlyList<string> Headers { get; init; } = [];

    public static AdminResponse Text(int status, string text) => new(status, "text/plain; charset=utf-8", Encoding.UTF8.GetBytes(text));

    public static string ReasonPhrase(int status) => status switch
    {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "Unknown",
    };
}
