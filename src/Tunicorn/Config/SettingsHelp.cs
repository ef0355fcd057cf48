using System.Text;

namespace Tunicorn.Config;

/// <summary>The --help text, generated from <see cref="SettingRegistry"/>: per section, flags, meta-variable, summary, default.</summary>
internal static class SettingsHelp
{
    // Longer flag columns wrap the summary onto the next line, as argparse does.
    private const int MaxFlagColumn = 34;

    public static string Render()
    {
        var app = ConfigSettings.App;
        var rows = new List<(string? Section, string Flags, string Text)>
        {
            ("Positional argument", app.MetaVar, app.Summary),
        };
        foreach (var setting in SettingRegistry.All.Where(s => s.Flags.Count > 0))
        {
            rows.Add((setting.Section.ToString(), FlagColumn(setting), setting.Summary + DefaultNote(setting)));
        }
        rows.Add(("Other", "-h, --help", "Show this help and exit."));
        rows.Add(("Other", "-v, --version", "Show the version and exit."));

        var width = Math.Min(MaxFlagColumn, rows.Max(r => r.Flags.Length)) + 2;
        var text = new StringBuilder()
            .Append("usage: tunicorn [OPTIONS] [APP]\n")
            .Append("       tunicorn ctl VERB [ARGS] [--json] [-s PATH | --pid PID]   (steer a running server: docs/control.md)\n\n")
            .Append("Serve the Apache Thrift service in APP with a master and pre-forked worker processes.\n");
        string? section = null;
        foreach (var (rowSection, flags, summary) in rows)
        {
            if (rowSection != section)
            {
                section = rowSection;
                text.Append('\n').Append(section).Append(":\n");
            }
            text.Append("  ").Append(flags);
            if (flags.Length + 2 > width)
            {
                text.Append('\n').Append(' ', width + 2);
            }
            else
            {
                text.Append(' ', width - flags.Length);
            }
            text.Append(summary).Append('\n');
        }
        return text
            .Append("\nThe same options may be given in TUNICORN_CMD_ARGS; every setting but config, print_config and check_config\n")
            .Append("may be given in the config file (tunicorn.toml) under its name. The command line wins, then TUNICORN_CMD_ARGS,\n")
            .Append("then the config file. See docs/settings.md.\n")
            .ToString();
    }

    private static string FlagColumn(Setting setting) =>
        string.Join(", ", setting.Flags) + (setting.IsFlag ? "" : " " + setting.MetaVar);

    private static string DefaultNote(Setting setting)
    {
        if (setting.IsFlag || setting.DefaultValue is null)
        {
            return "";
        }
        var text = setting.FormatText(setting.DefaultValue);
        return text.Length == 0 ? "" : $" [default: {text}]";
    }
}
