using System.Text;

namespace Tunicorn.Config;

/// <summary>
/// Splits TUNICORN_CMD_ARGS into arguments the way a POSIX shell (and gunicorn's shlex.split of GUNICORN_CMD_ARGS)
/// does: blanks separate, '...' is literal, "..." allows \" \\ \$ \`, and a backslash outside quotes escapes the
/// next character. Nothing is expanded.
/// </summary>
internal static class CommandLineSplitter
{
    /// <exception cref="FormatException">An unclosed quote, or a backslash at the very end.</exception>
    public static IReadOnlyList<string> Split(string text)
    {
        var arguments = new List<string>();
        var current = new StringBuilder();
        var inArgument = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            switch (c)
            {
                case ' ' or '\t' or '\n' or '\r':
                    if (inArgument)
                    {
                        arguments.Add(current.ToString());
                        current.Clear();
                        inArgument = false;
                    }
                    break;
                case '\'':
                    var close = text.IndexOf('\'', i + 1);
                    if (close < 0)
                    {
                        throw new FormatException($"no closing quotation for the ' at position {i + 1}");
                    }
                    current.Append(text, i + 1, close - i - 1);
                    inArgument = true;
                    i = close;
                    break;
                case '"':
                    var start = i;
                    for (i++; ; i++)
                    {
                        if (i >= text.Length)
                        {
                            throw new FormatException($"no closing quotation for the \" at position {start + 1}");
                        }
                        if (text[i] == '"')
                        {
                            break;
                        }
                        if (text[i] == '\\' && i + 1 < text.Length && text[i + 1] is '"' or '\\' or '$' or '`' or '\n')
                        {
                            i++;
                        }
                        current.Append(text[i]);
                    }
                    inArgument = true;
                    break;
                case '\\':
                    if (i + 1 >= text.Length)
                    {
                        throw new FormatException("ends with a backslash that escapes nothing");
                    }
                    current.Append(text[++i]);
                    inArgument = true;
                    break;
                default:
                    current.Append(c);
                    inArgument = true;
                    break;
            }
        }
        if (inArgument)
        {
            arguments.Add(current.ToString());
        }
        return arguments;
    }
}
