namespace Tunicorn.Config;

/// <summary>What one argument list (the command line or TUNICORN_CMD_ARGS) set: raw texts per setting, not yet validated.</summary>
internal sealed record CommandLineArguments(
    IReadOnlyList<KeyValuePair<Setting, IReadOnlyList<string>>> Values,
    bool Help,
    bool Version)
{
    /// <summary>The last text given for <paramref name="setting"/>, or null.</summary>
    public string? Last(Setting setting) => Values.LastOrDefault(v => v.Key == setting).Value?.LastOrDefault();
}
