namespace Tunicorn.Config;

/// <summary>A setting whose value is a <typeparamref name="T"/>, checked and formatted by its <see cref="Validator"/>.</summary>
internal sealed class Setting<T> : Setting
{
    public Setting(string name, SettingSection section)
        : base(name, section)
    {
    }

    /// <summary>The value when no source sets it; null leaves the setting unset.</summary>
    public required T? Default { get; init; }

    public required Validator<T> Validator { get; init; }

    public override bool IsFlag => typeof(T) == typeof(bool);

    public override bool IsRepeatable => Validator.IsList;

    public override string TypeDescription => Validator.Type;

    public override object? DefaultValue => Default;

    public override Type ValueType => typeof(T);

    public override object? Parse(IReadOnlyList<string> occurrences)
    {
        if (IsRepeatable)
        {
            if (occurrences.Count == 0 && !Validator.AllowsEmptyList)
            {
                throw new SettingValueException("[]", $"is an empty list; at least one {Validator.Type.Replace("list of ", "")} is needed");
            }
            return occurrences.SelectMany(text => (IReadOnlyList<string>)Validator.Parse(text)!).ToArray();
        }
        object? value = Default;
        foreach (var text in occurrences)
        {
            value = Validator.Parse(text);
        }
        return value;
    }

    public override string FormatText(object? value) => value is T typed ? Validator.Format(typed) : "";

    public override string? FormatToml(object? value) => value switch
    {
        null => null,
        IReadOnlyList<string> list => "[" + string.Join(", ", list.Select(TomlText.Quote)) + "]",
        // Numbers and booleans are TOML literals as the validator writes them (0o22 is TOML's octal form).
        int or double or bool => FormatText(value),
        _ => TomlText.Quote(FormatText(value)),
    };
}
