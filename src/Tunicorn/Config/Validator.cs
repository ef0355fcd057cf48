namespace Tunicorn.Config;

/// <summary>
/// Turns the text of one setting value (a command-line token, a TOML scalar) into its typed value, or rejects it
/// with a <see cref="SettingValueException"/>; and writes a value back as text that it accepts again.
/// </summary>
/// <remarks>Instances come from <see cref="Validators"/>; every source of settings goes through the same one.</remarks>
internal sealed class Validator<T>
{
    private readonly Func<string, T> _parse;
    private readonly Func<T, string> _format;

    internal Validator(string type, Func<string, T> parse, Func<T, string> format, IReadOnlyList<string>? choices = null, bool isList = false, bool allowsEmptyList = true)
    {
        Type = type;
        _parse = parse;
        _format = format;
        Choices = choices ?? [];
        IsList = isList;
        AllowsEmptyList = allowsEmptyList;
    }

    /// <summary>What a value must be, for the docs: "positive integer", "seconds", "one of sync, threaded, async".</summary>
    public string Type { get; }

    /// <summary>The accepted names when the value is picked from a list; empty otherwise.</summary>
    public IReadOnlyList<string> Choices { get; }

    /// <summary>True when each occurrence adds one element to a list instead of replacing the value.</summary>
    public bool IsList { get; }

    /// <summary>For a list: whether no element at all is a valid value (raw_env = [] is; bind = [] is not).</summary>
    public bool AllowsEmptyList { get; }

    /// <summary>Validates and converts one occurrence. Throws <see cref="SettingValueException"/>.</summary>
    public T Parse(string text) => _parse(text);

    /// <summary>The text form of a value that <see cref="Parse"/> accepts again.</summary>
    public string Format(T value) => _format(value);
}
