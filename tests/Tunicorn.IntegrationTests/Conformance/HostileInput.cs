using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Tunicorn.IntegrationTests.Harness;

namespace Tunicorn.IntegrationTests.Conformance;

/// <summary>One input of Conformance/HostileInputs/ (the format is in the README there): what to send and what must follow.</summary>
internal sealed record HostileInput(string Name, byte[] Bytes, bool HalfClose, int? ExpectedException, bool CallAfter, Regex Log)
{
    public static string Directory => Path.Combine(RepoPaths.Root, "tests", "Tunicorn.IntegrationTests", "Conformance", "HostileInputs");

    public static IReadOnlyList<string> Names() =>
        [.. System.IO.Directory.GetFiles(Directory, "*.txt").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal)!];

    public static HostileInput Load(string name)
    {
        string path = Path.Combine(Directory, name + ".txt");
        var bytes = new List<byte>();
        bool halfClose = false;
        int? exception = null;
        bool callAfter = false;
        Regex? log = null;
        foreach (string raw in File.ReadAllLines(path))
        {
            string line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
                continue;
            int colon = line.IndexOf(':');
            if (colon < 0)
                throw new FormatException($"{path}: '{line}' is not KEY: VALUE");
            string key = line[..colon].Trim();
            string value = line[(colon + 1)..].Trim();
            switch (key)
            {
                case "send":
                    bytes.AddRange(ParseTokens(value, path));
                    break;
                case "then":
                    halfClose = value switch
                    {
                        "half-close" => true,
                        "wait" => false,
                        _ => throw new FormatException($"{path}: then: {value} is not half-close or wait"),
                    };
                    break;
                case "expect" when value == "close":
                    exception = null;
                    break;
                case "expect" when value.StartsWith("exception ", StringComparison.Ordinal):
                    exception = int.Parse(value["exception ".Length..], CultureInfo.InvariantCulture);
                    break;
                case "after":
                    callAfter = value == "call";
                    break;
                case "log":
                    log = new Regex(value, RegexOptions.CultureInvariant);
                    break;
                default:
                    throw new FormatException($"{path}: unknown line '{line}'");
            }
        }
        return new HostileInput(name, [.. bytes], halfClose, exception, callAfter, log ?? throw new FormatException($"{path}: no log: line"));
    }

    private static IEnumerable<byte> ParseTokens(string value, string path)
    {
        foreach (string token in value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (token.StartsWith('"') && token.EndsWith('"') && token.Length >= 2)
            {
                foreach (byte b in Encoding.ASCII.GetBytes(token[1..^1]))
                    yield return b;
            }
            else if (token.StartsWith("random:", StringComparison.Ordinal))
            {
                string[] parts = token.Split(':');
                var random = new Random(int.Parse(parts[2], CultureInfo.InvariantCulture));
                var noise = new byte[int.Parse(parts[1], CultureInfo.InvariantCulture)];
                random.NextBytes(noise);
                foreach (byte b in noise)
                    yield return b;
            }
            else if (token.Contains('*'))
            {
                int star = token.IndexOf('*');
                int count = int.Parse(token[..star], CultureInfo.InvariantCulture);
                byte[] unit = Convert.FromHexString(token[(star + 1)..]);
                for (int i = 0; i < count; i++)
                {
                    foreach (byte b in unit)
                        yield return b;
                }
            }
            else if (token.Length == 2)
            {
                yield return byte.Parse(token, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            }
            else
            {
                throw new FormatException($"{path}: token '{token}' is not HH, \"text\", N*HEX or random:N:SEED");
            }
        }
    }
}
