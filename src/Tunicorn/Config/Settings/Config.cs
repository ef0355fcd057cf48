namespace Tunicorn.Config;

/// <summary>Settings about where settings and the app come from, and what the command line asks for.</summary>
internal static class ConfigSettings
{
    /// <summary>The absolute path of the config file that was read, or null when none was.</summary>
    public static readonly Setting<string> ConfigFile = new("config", SettingSection.Config)
    {
        Flags = ["-c", "--config"],
        MetaVar = "PATH",
        Default = null,
        Validator = Validators.Path,
        // A config file naming another config file would make precedence depend on reading order.
        InConfigFile = false,
        Description = """
            The TOML config file to read.
            Relative paths are taken from the current directory. Without this option, tunicorn.toml in the
            current directory is read when it exists. Its keys are the setting names (the "Config file" line of each
            setting). Settings.ConfigFile holds the absolute path of the file that was read.
            """,
    };

    /// <summary>APP: <c>path/to/Assembly.dll[:Namespace.Type]</c>; null in embedded mode when handlers are registered in code.</summary>
    public static readonly Setting<string> App = new("app", SettingSection.Config)
    {
        MetaVar = "APP",
        Positional = true,
        Default = null,
        Validator = Validators.AppSpec,
        Description = """
            The service to serve: path/to/Assembly.dll[:Namespace.Type].
            Given as the positional argument on the command line, or as app in the config file. Without a type,
            the one handler class in the assembly that implements a generated Thrift IAsync interface is used.
            Unset in embedded mode, where handlers are registered in code.
            """,
    };

    /// <summary>Folders where the app's load context looks for dependencies not beside the app dll, in order.</summary>
    public static readonly Setting<IReadOnlyList<string>> AppProbePaths = new("app_probe_paths", SettingSection.Config)
    {
        Flags = ["--app-probe-path"],
        MetaVar = "DIR",
        Default = [],
        Validator = Validators.ListOf(Validators.Path),
        Description = """
            A folder where the app looks for the assemblies it depends on that are not beside its dll.
            Repeat the option for several folders; they are searched in order, after the app's own folder and its
            .deps.json. Relative paths start from chdir (or the current directory). For dependencies kept in a shared
            folder rather than copied beside each app.
            """,
    };

    public static readonly Setting<bool> PrintConfig = new("print_config", SettingSection.Config)
    {
        Flags = ["--print-config"],
        Default = false,
        Validator = Validators.Boolean,
        InConfigFile = false,
        Stored = false,
        Description = """
            Print every resolved setting as TOML, sorted by name, and exit.
            The output can be used as a config file. Unset settings are shown as comments. Same as gunicorn.
            """,
    };

    public static readonly Setting<bool> CheckConfig = new("check_config", SettingSection.Config)
    {
        Flags = ["--check-config"],
        Default = false,
        Validator = Validators.Boolean,
        InConfigFile = false,
        Stored = false,
        Description = """
            Check the settings and load the app, then exit: 0 when both are fine, 2 when a setting is invalid,
            1 when the app or its hooks fail to load (as gunicorn does).
            The check goes as far as a start does before it binds: users and groups exist, every handler can be
            created, the certificate and key can be read, and the registry class is known.
            """,
    };
}
