using System.Text;

namespace Tunicorn.Logging;

/// <summary>
/// Makes a log line one line: every control character (newline, carriage return, escape, tab...) and the Unicode
/// line and paragraph separators become <c>\xNN</c> / <c>\uNNNN</c>. Applied by <see cref="LogSink"/> to every line,
/// whatever its source (a handler's exception message, a stack trace, a hostile client's method name), so that no
/// text can end a line early, forge the next one or drive the terminal of whoever reads the log.
/// </summary>
/// <remarks>
/// Backslashes are kept as they are: text from the wire is already escaped by Thrift's LogText (which doubles
/// them), and escaping again here would double its escapes. The guarantee here is the line, not reversibility.
/// </remarks>
internal static class LogLineText
{
    public static string SingleLine(string text)
    {
        int first = IndexOfBreaking(text);
        if (first < 0)
            return text;
        var builder = new StringBuilder(text.Length + 16);
        builder.Append(text, 0, first);
        for (int i = first; i < text.Length; i++)
        {
            char c = text[i];
            if (!IsBreaking(c))
                builder.Append(c);
            else if (c <= 0xFF)
                builder.Append(@"\x").Append(((int)c).ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
            else
                builder.Append(@"\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
        }
        return builder.ToString();
    }

    private static int IndexOfBreaking(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            if (IsBreaking(text[i]))
                return i;
        }
        return -1;
    }

    private static bool IsBreaking(char c) => char.IsControl(c) || c is '\u2028' or '\u2029';
}
