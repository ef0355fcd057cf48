using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Tunicorn.Config;

/// <summary>
/// The small named validators settings are declared with. Each rejects with a reason that says what is allowed,
/// and none of them rewrites a value into something else: what it accepts is what the setting holds.
/// </summary>
internal static partial class Validators
{
    private const string AddressForms = "HOST:PORT, [IPV6]:PORT, unix:PATH or fd://N";

    /// <summary>1 or more.</summary>
    public static readonly Validator<int> PositiveInt = Integer("positive integer", value => value >= 1, "is not a positive integer");

    /// <summary>0 or more.</summary>
    public static readonly Validator<int> NonNegativeInt = Integer("non-negative integer", value => value >= 0, "is not a non-negative integer");

    /// <summary>0 (the runtime decides) or a number of bytes the .NET GC accepts as a gen0 budget (64 KiB or more).</summary>
    public static readonly Validator<int> Gen0Budget = Integer("bytes", value => value == 0 || value >= 65536, "is not 0 or a number of bytes of at least 65536");

    /// <summary>A duration in seconds, 0 or more, fractions allowed (0.5).</summary>
    public static readonly Validator<double> Seconds = new(
        "seconds",
        text => double.TryParse(text, NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
                && double.IsFinite(value) && value >= 0
            ? value
            : throw new SettingValueException(text, "is not a number of seconds (0 or more)"),
        value => value.ToString("R", CultureInfo.InvariantCulture));

    /// <summary>true or false: the value of a flag in the config file.</summary>
    public static readonly Validator<bool> Boolean = new(
        "boolean",
        text => text.ToLowerInvariant() switch
        {
            "true" => true,
            "false" => false,
            _ => throw new SettingValueException(text, "is not true or false"),
        },
        value => value ? "true" : "false");

    /// <summary>A listening address: HOST:PORT, [IPV6]:PORT, unix:PATH or fd://N, port 0-65535.</summary>
    public static readonly Validator<string> Address = new("address", ParseAddress, value => value);

    /// <summary>Any non-empty text.</summary>
    public static readonly Validator<string> Text = new("string", text => NonEmpty(text, "is empty; a value is required"), value => value);

    /// <summary>A non-empty file or directory path (existence is checked by whoever opens it).</summary>
    public static readonly Validator<string> Path = new("path", text => NonEmpty(text, "is not a path"), value => value);

    /// <summary>KEY=VALUE with a non-empty KEY, for environment variables.</summary>
    public static readonly Validator<string> KeyValue = new("KEY=VALUE", ParseKeyValue, value => value);

    /// <summary>A user or group: a name or a numeric id.</summary>
    public static readonly Validator<string> AccountName = new(
        "name or numeric id",
        text => AccountNameRegex().IsMatch(text) ? text : throw new SettingValueException(text, "is not a name or a numeric id"),
        value => value);

    /// <summary>A .NET type name, optionally assembly-qualified: Namespace.Type[, Assembly].</summary>
    public static readonly Validator<string> TypeName = new(
        ".NET type name",
        text => TypeNameRegex().IsMatch(text) ? text : throw new SettingValueException(text, "is not a .NET type name (Namespace.Type[, Assembly])"),
        value => value);

    /// <summary>APP: path/to/Assembly.dll[:Namespace.Type].</summary>
    public static readonly Validator<string> AppSpec = new("path/to/Assembly.dll[:Namespace.Type]", ParseAppSpec, value => value);

    /// <summary>An access log format: text with %(NAME)s tokens of <see cref="Logging.AccessLogFormat"/>, and %% for a percent sign.</summary>
    public static readonly Validator<string> AccessLogFormat = new("access log format", ParseAccessLogFormat, value => value);

    /// <summary>A umask 0 to 0o777: 0o22, 022 (octal, as in a shell) or 18 (decimal).</summary>
    public static readonly Validator<int> OctalUmask = new(
        "octal umask",
        ParseUmask,
        value => "0o" + Convert.ToString(value, 8));

    /// <summary>A file mode 0 to 0o777, read as <see cref="OctalUmask"/> is: 0o600, 0600 (octal) or 384 (decimal).</summary>
    public static readonly Validator<int> OctalFileMode = new(
        "octal file mode",
        ParseUmask,
        value => "0o" + Convert.ToString(value, 8));

    /// <summary>An OpenSSL cipher string that names at least one cipher of the system's OpenSSL.</summary>
    public static readonly Validator<string> OpenSslCipherList = new(
        "OpenSSL cipher string",
        text =>
        {
            NonEmpty(text, "is empty; an OpenSSL cipher string is required");
            try
            {
                Interop.CipherString.Resolve(text);
            }
            catch (ArgumentException e)
            {
                throw new SettingValueException(text, e.Message);
            }
            return text;
        },
        value => value);

    /// <summary>One of <paramref name="names"/> (case-insensitive) for the value at the same index, or an alias of a name.</summary>
    /// <remarks>
    /// Plain arrays rather than pairs: every static field of the settings table is built when a worker starts, and a
    /// pair type over an enum (KeyValuePair&lt;string, LogLevel&gt;) is code that ReadyToRun cannot precompile, so each
    /// enum setting cost a dozen JIT compilations there.
    /// </remarks>
    /// <param name="names">The accepted names, in the order help and errors list them.</param>
    /// <param name="values">The value of each name.</param>
    /// <param name="aliases">Other accepted names, each for one of <paramref name="names"/> (gunicorn's spellings).</param>
    public static Validator<T> Choice<T>(string[] names, T[] values, KeyValuePair<string, string>[]? aliases = null)
        where T : notnull
    {
        if (names.Length != values.Length)
        {
            throw new ArgumentException($"{names.Length} names for {values.Length} values", nameof(values));
        }
        aliases ??= [];
        var aliasNames = new string[aliases.Length];
        for (int i = 0; i < aliases.Length; i++)
        {
            aliasNames[i] = aliases[i].Key;
        }
        var list = string.Join(", ", names);
        var reason = aliases.Length == 0
            ? $"is not one of {list}"
            : $"is not one of {list} (aliases {string.Join(", ", aliasNames)})";
        return new Validator<T>(
            $"one of {list}",
            text =>
            {
                var name = text;
                for (int i = 0; i < aliases.Length; i++)
                {
                    if (string.Equals(aliasNames[i], text, StringComparison.OrdinalIgnoreCase))
                    {
                        name = aliases[i].Value;
                        break;
                    }
                }
                for (int i = 0; i < names.Length; i++)
                {
                    if (string.Equals(names[i], name, StringComparison.OrdinalIgnoreCase))
                    {
                        return values[i];
                    }
                }
                throw new SettingValueException(text, reason);
            },
            value =>
            {
                for (int i = 0; i < values.Length; i++)
                {
                    if (EqualityComparer<T>.Default.Equals(values[i], value))
                    {
                        return names[i];
                    }
                }
                // Values set in code may lie outside the choices (LogLevel.Trace); their own name is the honest text.
                return value.ToString()!.ToLowerInvariant();
            },
            names);
    }

    /// <summary>A repeatable setting: each occurrence is checked by <paramref name="element"/> and adds one element.</summary>
    /// <param name="element">Checks each element.</param>
    /// <param name="allowEmpty">Whether an empty list (possible only in the config file) is a valid value.</param>
    public static Validator<IReadOnlyList<string>> ListOf(Validator<string> element, bool allowEmpty = true) => new(
        "list of " + element.Type,
        text => [element.Parse(text)],
        values => string.Join(", ", values.Select(element.Format)),
        element.Choices,
        isList: true,
        allowsEmptyList: allowEmpty);

    /// <summary>The same checks for a setting that may also be left unset (null).</summary>
    public static Validator<T?> Optional<T>(Validator<T> validator)
        where T : struct => new(
        validator.Type,
        text => validator.Parse(text),
        value => value is T set ? validator.Format(set) : "",
        validator.Choices);

    private static Validator<int> Integer(string type, Func<int, bool> accepts, string reason) => new(
        type,
        text => int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && accepts(value)
            ? value
            : throw new SettingValueException(text, reason),
        value => value.ToString(CultureInfo.InvariantCulture));

    private static string NonEmpty(string text, string reason) =>
        text.Length == 0 || text.Contains('\0') ? throw new SettingValueException(text, reason) : text;

    private static string ParseAddress(string text)
    {
        if (text.StartsWith("unix:", StringComparison.Ordinal))
        {
            return text.Length > "unix:".Length && !text.Contains('\0')
                ? text
                : throw new SettingValueException(text, $"has no path after unix: (expected {AddressForms})");
        }
        if (text.StartsWith("fd://", StringComparison.Ordinal))
        {
            return IsDigits(text["fd://".Length..]) && int.TryParse(text["fd://".Length..], CultureInfo.InvariantCulture, out _)
                ? text
                : throw new SettingValueException(text, $"has no file descriptor number after fd:// (expected {AddressForms})");
        }

        string host, port;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']');
            if (close < 0 || !IPAddress.TryParse(text[1..close], out var ip) || ip.AddressFamily != AddressFamily.InterNetworkV6)
            {
                throw new SettingValueException(text, $"has no IPv6 address in brackets (expected {AddressForms})");
            }
            if (close == text.Length - 1)
            {
                throw new SettingValueException(text, $"has no port (expected {AddressForms})");
            }
            if (text[close + 1] != ':')
            {
                throw new SettingValueException(text, $"has text after ']' that is not :PORT (expected {AddressForms})");
            }
            host = text[1..close];
            port = text[(close + 2)..];
        }
        else
        {
            var colon = text.LastIndexOf(':');
            if (colon < 0)
            {
                // gunicorn would default the port; here a bare host is more likely a typo than a wish for 9090.
                throw new SettingValueException(text, $"has no port (expected {AddressForms})");
            }
            host = text[..colon];
            port = text[(colon + 1)..];
            if (host.Contains(':'))
            {
                throw new SettingValueException(text, "is an IPv6 address without brackets (expected [IPV6]:PORT)");
            }
            if (host.Length > 0 && host.All(c => c == '.' || char.IsAsciiDigit(c)) && !IsDottedQuad(host))
            {
                // A name of digits and dots is meant as an address: resolving it would fail later with a vaguer reason.
                throw new SettingValueException(text, "has a host that is not an IPv4 address (four numbers from 0 to 255)");
            }
            var kind = Uri.CheckHostName(host);
            if (kind is not (UriHostNameType.Dns or UriHostNameType.IPv4))
            {
                throw new SettingValueException(text, $"has no valid host before the port (expected {AddressForms})");
            }
        }
        if (!IsDigits(port) || port.Length > 5 || int.Parse(port, CultureInfo.InvariantCulture) > 65535)
        {
            throw new SettingValueException(text, "has a port that is not a number from 0 to 65535");
        }
        return text;
    }

    private static string ParseKeyValue(string text)
    {
        var equals = text.IndexOf('=');
        return equals > 0 && !text.Contains('\0') && !text[..equals].Any(char.IsWhiteSpace)
            ? text
            : throw new SettingValueException(text, "is not KEY=VALUE with a non-empty KEY without spaces");
    }

    private static string ParseAppSpec(string text)
    {
        if (text.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) && text.Length > ".dll".Length)
        {
            return text;
        }
        var colon = text.LastIndexOf(':');
        if (colon > 0
            && text[..colon].EndsWith(".dll", StringComparison.OrdinalIgnoreCase)
            && TypeNameRegex().IsMatch(text[(colon + 1)..]))
        {
            return text;
        }
        throw new SettingValueException(text, "is not path/to/Assembly.dll[:Namespace.Type]");
    }

    private static string ParseAccessLogFormat(string text)
    {
        try
        {
            _ = Logging.AccessLogFormat.Compile(text);
        }
        catch (FormatException e)
        {
            throw new SettingValueException(text, e.Message);
        }
        return text;
    }

    private static int ParseUmask(string text)
    {
        int? value = null;
        if (text.Length > 2 && text[0] == '0' && text[1] is 'o' or 'O')
        {
            value = ParseBase(text[2..], 8);
        }
        else if (text.Length > 2 && text[0] == '0' && text[1] is 'x' or 'X')
        {
            value = ParseBase(text[2..], 16);
        }
        else if (text.Length > 1 && text[0] == '0')
        {
            // A leading zero means octal, as umask(1) and chmod(1) read it.
            value = ParseBase(text[1..], 8);
        }
        else if (IsDigits(text))
        {
            value = ParseBase(text, 10);
        }
        return value is >= 0 and <= 0x1FF
            ? value.Value
            : throw new SettingValueException(text, "is not a umask from 0 to 0o777 (like 0o22, 022 or 18)");
    }

    private static int? ParseBase(string digits, int radix)
    {
        if (digits.Length == 0 || digits.Length > 8)
        {
            return null;
        }
        var value = 0;
        foreach (var c in digits)
        {
            var digit = c switch
            {
                >= '0' and <= '9' => c - '0',
                >= 'a' and <= 'f' => c - 'a' + 10,
                >= 'A' and <= 'F' => c - 'A' + 10,
                _ => int.MaxValue,
            };
            if (digit >= radix)
            {
                return null;
            }
            value = value * radix + digit;
        }
        return value;
    }

    private static bool IsDottedQuad(string host)
    {
        var parts = host.Split('.');
        return parts.Length == 4 && parts.All(p => IsDigits(p) && p.Length <= 3 && int.Parse(p, CultureInfo.InvariantCulture) <= 255);
    }

    private static bool IsDigits(string text) => text.Length > 0 && text.All(char.IsAsciiDigit);

    [GeneratedRegex(@"^(?:[A-Za-z_][A-Za-z0-9_.-]*\$?|[0-9]+)$")]
    private static partial Regex AccountNameRegex();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*(?:[.+][A-Za-z_][A-Za-z0-9_]*)*(?:`[0-9]+)?(?:\s*,\s*[A-Za-z0-9_.\-]+)?$")]
    private static partial Regex TypeNameRegex();
}
