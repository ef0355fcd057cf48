namespace Tunicorn.Config;

/// <summary>
/// One entry of the settings table: everything the command line, the config file, TUNICORN_CMD_ARGS, --help,
/// --print-config, worker serialization and docs/settings.md need to know about one setting.
/// Declared once, in Config/Settings/&lt;Section&gt;.cs; listed by <see cref="SettingRegistry"/>.
/// </summary>
internal abstract class Setting
{
    private protected Setting(string name, SettingSection section)
    {
        Name = name;
        Section = section;
    }

    /// <summary>The snake_case name (gunicorn's where gunicorn has the setting); also the TOML key.</summary>
    public string Name { get; }

    public SettingSection Section { get; }

    /// <summary>Command-line flags, short ones first: ["-w", "--workers"]. Empty for the positional APP.</summary>
    public IReadOnlyList<string> Flags { get; init; } = [];

    /// <summary>What --help shows after the flag: "INT", "ADDRESS". Unused for boolean flags.</summary>
    public string MetaVar { get; init; } = "STRING";

    /// <summary>The first line is the one-line summary --help shows; the rest goes to docs/settings.md.</summary>
    public required string Description { get; init; }

    /// <summary>False for settings that only make sense on the command line (config, print_config, check_config).</summary>
    public bool InConfigFile { get; init; } = true;

    /// <summary>False for settings that are commands to the loader, not part of <see cref="Config.Settings"/>.</summary>
    public bool Stored { get; init; } = true;

    /// <summary>The keys of a setting whose value is a table (service_register_conf); null for the others.</summary>
    /// <remarks>
    /// A function, called only by the docs: building the keys loads System.Text.Json, which a worker never loads
    /// (it would cost each worker 15-20 ms of boot), and every process builds the settings table.
    /// </remarks>
    public Func<IReadOnlyList<TableKey>>? TableKeys { get; init; }

    /// <summary>True for the positional APP argument.</summary>
    public bool Positional { get; init; }

    /// <summary>The first line of <see cref="Description"/>.</summary>
    public string Summary => Description.Split('\n', 2)[0].Trim();

    /// <summary>The key in tunicorn.toml, or null when the setting cannot be set there.</summary>
    public string? TomlKey => InConfigFile ? Name : null;

    /// <summary>A flag takes no value on the command line; present means true.</summary>
    public abstract bool IsFlag { get; }

    /// <summary>Each occurrence adds to a list instead of replacing the value.</summary>
    public abstract bool IsRepeatable { get; }

    /// <summary>What a value must be ("positive integer", "list of address").</summary>
    public abstract string TypeDescription { get; }

    public abstract object? DefaultValue { get; }

    /// <summary>The runtime type of the value, as held by <see cref="Config.Settings"/>.</summary>
    public abstract Type ValueType { get; }

    /// <summary>The long flag, e.g. "--workers"; null for the positional APP.</summary>
    public string? LongFlag => Flags.FirstOrDefault(f => f.StartsWith("--", StringComparison.Ordinal)) ?? Flags.FirstOrDefault();

    /// <summary>Validates every occurrence in order; the last wins, or all are kept for a repeatable setting.</summary>
    /// <exception cref="SettingValueException">The first occurrence that is not allowed.</exception>
    public abstract object? Parse(IReadOnlyList<string> occurrences);

    /// <summary>The value as text that the validator accepts again; "" for an unset value.</summary>
    public abstract string FormatText(object? value);

    /// <summary>The value as a TOML value (<c>30</c>, <c>"async"</c>, <c>["a", "b"]</c>), or null when unset.</summary>
    public abstract string? FormatToml(object? value);

    public override string ToString() => Name;
}
