using System.Text;

namespace Tunicorn.Thrift;

/// <summary>
/// Text from the wire made safe for a log line: a hostile client chooses its method names and the bytes that end up
/// in parser errors, and a newline or escape sequence in them would forge log lines or garble a terminal.
/// </summary>
internal static class LogText
{
    /// <summary>Longest text kept; a method name or parser message longer than this is cut, with its length noted.</summary>
    public const int MaxLength = 200;

    /// <summary>
    /// Longest name from the wire echoed back to a client (an unknown method or service in a TApplicationException):
    /// enough for any real method name, and a reply to a hostile 1 MB name stays a few hundred bytes.
    /// </summary>
    public const int MaxReplyNameLength = 64;

    /// <summary><paramref name="text"/> with control characters as \xNN (and '\' as \\) and cut at <see cref="MaxLength"/>.</summary>
    public static string Printable(string text) => Printable(text, MaxLength);

    /// <summary><paramref name="text"/> with control characters as \xNN (and '\' as \\) and cut at <paramref name="maxLength"/> characters.</summary>
    public static string Printable(string text, int maxLength)
    {
        bool clean = text.Length <= maxLength;
        foreach (char c in text)
        {
            if (char.IsControl(c) || c == '\\' || char.IsSurrogate(c) || c is '\u2028' or '\u2029')
            {
                clean = false;
                break;
            }
        }
        if (clean)
            return text;

        var builder = new StringBuilder(Math.Min(text.Length, maxLength) + 16);
        foreach (char c in text.AsSpan(0, Math.Min(text.Length, maxLength)))
        {
            if (c == '\\')
                builder.Append(@"\\");
            else if (char.IsControl(c) || char.IsSurrogate(c) || c is '\u2028' or '\u2029')
                builder.Append(c <= 0xFF ? $"\\x{(int)c:x2}" : $"\\u{(int)c:x4}");
            else
                builder.Append(c);
        }
        if (text.Length > maxLength)
            builder.Append($"… ({text.Length} characters)");
        return builder.ToString();
    }
}
