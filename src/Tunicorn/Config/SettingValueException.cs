namespace Tunicorn.Config;

/// <summary>
/// A validator rejected a value. <see cref="Reason"/> continues the sentence "'VALUE' ...", so the loader can
/// name the setting and the source around it and still print one line.
/// </summary>
internal sealed class SettingValueException : FormatException
{
    public SettingValueException(string value, string reason)
        : base($"'{value}' {reason}")
    {
        Value = value;
        Reason = reason;
    }

    /// <summary>The rejected text, as the user wrote it.</summary>
    public string Value { get; }

    /// <summary>What is wrong and what is allowed, e.g. "is not a positive integer".</summary>
    public string Reason { get; }
}
