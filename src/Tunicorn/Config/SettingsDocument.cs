using System.Text;

namespace Tunicorn.Config;

/// <summary>
/// Renders docs/settings.md from <see cref="SettingRegistry"/>. A unit test fails when the file differs from
/// <see cref="Render"/>; scripts/gen-settings-doc.sh rewrites it.
/// </summary>
internal static class SettingsDocument
{
    /// <summary>The path of the generated file, relative to the repository root.</summary>
    public const string RelativePath = "docs/settings.md";

    public static string Render()
    {
        var text = new StringBuilder()
            .Append("<!-- Generated from src/Tunicorn/Config/Settings — do not edit. Regenerate with scripts/gen-settings-doc.sh. -->\n")
            .Append("# Settings\n\n")
            .Append("*Generated from src/Tunicorn/Config/Settings — do not edit; run scripts/gen-settings-doc.sh after changing a setting.*\n\n")
            .Append("Settings come from four places; each one overrides the ones before it:\n\n")
            .Append("1. the defaults below;\n")
            .Append("2. the config file: `-c PATH`, or `tunicorn.toml` in the current directory when it exists (TOML, keys are the setting names);\n")
            .Append("3. the environment variable `TUNICORN_CMD_ARGS`, holding command-line options split as a shell would;\n")
            .Append("4. the command line.\n\n")
            .Append("A setting given again replaces the earlier value, lists (`bind`, `raw_env`) included. An invalid value anywhere stops\n")
            .Append("tunicorn with exit status 2 and one line naming the setting, the value, what is allowed and where it came from.\n")
            .Append("Path settings are checked before anything starts: a missing `chdir`, a directory given as a file (`pidfile`,\n")
            .Append("`errorlog`, `accesslog`, `certfile`, `keyfile`, `ca_certs`, `config`), a missing folder of a `pidfile` or of a\n")
            .Append("`unix:` bind, or a missing certificate are invalid values too (status 2). What the system refuses later (a port\n")
            .Append("in use, a file it will not open) stops tunicorn with exit status 1 and one line naming the setting.\n")
            .Append("`tunicorn --print-config` shows the resolved settings in the config file's syntax.\n\n")
            .Append("Example `tunicorn.toml`:\n\n")
            .Append("```toml\n")
            .Append("app = \"build/MyService.dll\"\n")
            .Append("bind = [\"0.0.0.0:9090\", \"unix:/run/myservice.sock\"]\n")
            .Append("workers = 4\n")
            .Append("worker_class = \"async\"\n")
            .Append("timeout = 30\n")
            .Append("raw_env = [\"DOTNET_gcServer=0\"]\n")
            .Append("```\n");

        foreach (var section in Enum.GetValues<SettingSection>())
        {
            var settings = SettingRegistry.All.Where(s => s.Section == section).ToList();
            if (settings.Count == 0)
            {
                continue;
            }
            text.Append("\n## ").Append(section).Append('\n');
            foreach (var setting in settings)
            {
                AppendSetting(text, setting);
            }
        }
        return text.ToString();
    }

    private static void AppendSetting(StringBuilder text, Setting setting)
    {
        text.Append("\n### `").Append(setting.Name).Append("`\n\n");
        var commandLine = setting.Positional
            ? $"positional `{setting.MetaVar}`"
            : setting.Flags.Count == 0 ? "none (config file only)"
            : string.Join(", ", setting.Flags.Select(f => setting.IsFlag ? $"`{f}`" : $"`{f} {setting.MetaVar}`"));
        if (setting.IsRepeatable)
        {
            commandLine += " (repeatable)";
        }
        text.Append("- Command line: ").Append(commandLine).Append('\n');
        text.Append("- Config file: ").Append(setting.TomlKey is null ? "no (command line and TUNICORN_CMD_ARGS only)" : $"`{setting.TomlKey}`").Append('\n');
        text.Append("- Type: ").Append(setting.TypeDescription).Append('\n');
        var defaultToml = setting.FormatToml(setting.DefaultValue);
        text.Append("- Default: ").Append(defaultToml is null ? "not set" : $"`{defaultToml}`").Append('\n');
        if (setting.TableKeys is { } keys)
        {
            text.Append("- Keys: ").Append(string.Join(", ", keys().Select(TableKeysDocument.KeyNames))).Append('\n');
        }
        text.Append('\n');
        text.Append(Unwrap(setting.Description)).Append('\n');
    }

    // The description's first line is the --help summary and ends a sentence; the rest is one paragraph, but for a
    // Markdown table (lines starting with '|'), which needs a blank line between it and the text around it.
    internal static string Unwrap(string description)
    {
        var lines = description.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        if (lines.Count == 1)
            return lines[0];
        var text = new StringBuilder(lines[0]).Append("\n\n").Append(lines[1]);
        for (int i = 2; i < lines.Count; i++)
        {
            bool tableStartsOrEnds = lines[i].StartsWith('|') != lines[i - 1].StartsWith('|');
            text.Append(tableStartsOrEnds ? "\n\n" : "\n").Append(lines[i]);
        }
        return text.ToString();
    }
}
