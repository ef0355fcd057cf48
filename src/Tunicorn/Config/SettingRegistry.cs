namespace Tunicorn.Config;

/// <summary>
/// Every setting, in section order. The one list the command line, the config file, --help, --print-config,
/// serialization and docs/settings.md are built from. A new setting is only declared in its section file
/// (Config/Settings/&lt;Section&gt;.cs): Tunicorn.Generators lists it here and gives <see cref="Settings"/> its property.
/// </summary>
internal static partial class SettingRegistry
{
    public static IReadOnlyList<Setting> All { get; } = Declared();

    private static readonly Dictionary<string, Setting> ByName = All.ToDictionary(s => s.Name, StringComparer.Ordinal);

    /// <summary>The setting called <paramref name="name"/> (snake_case), or null.</summary>
    public static Setting? Find(string name) => ByName.GetValueOrDefault(name);

    /// <summary>The settings a <see cref="Settings"/> instance holds (all but the loader's commands).</summary>
    public static IEnumerable<Setting> Stored => All.Where(s => s.Stored);

    /// <summary>Every <c>Setting&lt;T&gt;</c> field of the section classes, in section order, then in the order of their file (generated).</summary>
    private static partial IReadOnlyList<Setting> Declared();
}
