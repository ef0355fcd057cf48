namespace Tunicorn.Config;

/// <summary>What the command line asked for once settings are resolved.</summary>
internal enum SettingsCommand
{
    /// <summary>Serve: run the master.</summary>
    Run,
    /// <summary>--check-config: the caller loads the app too, then exits 0 or 1.</summary>
    CheckConfig,
    /// <summary>Already handled (--help, --version, --print-config, or an error printed): exit with <see cref="SettingsLoadResult.ExitCode"/>.</summary>
    Exit,
}

/// <summary>The outcome of <see cref="SettingsLoader.Load"/>.</summary>
internal sealed record SettingsLoadResult(SettingsCommand Command, Settings? Settings, int ExitCode);
