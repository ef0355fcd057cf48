namespace Tunicorn.Config;

/// <summary>
/// Checks the path-valued settings against the file system once they are resolved, before anything starts: a value
/// that cannot work (a directory where a file is wanted, a missing directory, a missing certificate) is an invalid
/// setting, refused with one line and exit status 2 like any other. What the kernel can still refuse later
/// (permissions, a full disk, a port in use) is a run-time failure, exit status 1, reported where it happens.
/// </summary>
/// <remarks>
/// The validators stay pure parsers: a worker re-reads the same values and must not depend on the file system at
/// that moment. Relative paths are taken from chdir when it is set, because the master changes directory first.
/// </remarks>
internal static class SettingPaths
{
    /// <exception cref="SettingsLoadException">One line naming the setting, the value and what is wrong.</exception>
    public static void Check(Settings settings, string currentDirectory)
    {
        var baseDirectory = currentDirectory;
        if (settings.Chdir is { } chdir)
        {
            var full = Path.GetFullPath(chdir, currentDirectory);
            if (File.Exists(full))
                throw Invalid(ProcessSettings.Chdir, chdir, "is not a directory");
            if (!Directory.Exists(full))
                throw Invalid(ProcessSettings.Chdir, chdir, "does not exist");
            baseDirectory = full;
        }

        WritableFile(LoggingSettings.ErrorLog, settings.ErrorLog, baseDirectory, createsDirectories: true);
        WritableFile(LoggingSettings.AccessLog, settings.AccessLog, baseDirectory, createsDirectories: true);
        WritableFile(ProcessSettings.Pidfile, settings.Pidfile, baseDirectory, createsDirectories: false);
        ReadableFile(TlsSettings.CertFile, settings.CertFile, baseDirectory);
        ReadableFile(TlsSettings.KeyFile, settings.KeyFile, baseDirectory);
        ReadableFile(TlsSettings.CaCerts, settings.CaCerts, baseDirectory);

        foreach (var bind in settings.Bind)
        {
            if (!bind.StartsWith("unix:", StringComparison.Ordinal))
                continue;
            var full = Path.GetFullPath(bind["unix:".Length..], baseDirectory);
            if (Directory.Exists(full))
                throw Invalid(ServerSettings.Bind, bind, "is a directory, not a socket path");
            var folder = Path.GetDirectoryName(full);
            if (folder is not null && !Directory.Exists(folder))
                throw Invalid(ServerSettings.Bind, bind, File.Exists(folder)
                    ? $"is in {folder}, which is not a directory"
                    : $"is in the directory {folder}, which does not exist");
        }
    }

    /// <summary>
    /// The file named must be a file or not exist yet, in a directory that exists (or, for the logs, that
    /// tunicorn creates: then the nearest existing ancestor must be a directory).
    /// </summary>
    private static void WritableFile(Setting setting, string? value, string baseDirectory, bool createsDirectories)
    {
        if (value is null or "-")
            return;
        var full = Path.GetFullPath(value, baseDirectory);
        if (Directory.Exists(full))
            throw Invalid(setting, value, "is a directory, not a file");
        var folder = Path.GetDirectoryName(full);
        if (folder is null || Directory.Exists(folder))
            return;
        if (!createsDirectories)
        {
            throw Invalid(setting, value, File.Exists(folder)
                ? $"is in {folder}, which is not a directory"
                : $"is in the directory {folder}, which does not exist");
        }
        for (var ancestor = folder; ancestor is not null; ancestor = Path.GetDirectoryName(ancestor))
        {
            if (File.Exists(ancestor))
                throw Invalid(setting, value, $"is under {ancestor}, which is not a directory");
            if (Directory.Exists(ancestor))
                return;
        }
    }

    private static void ReadableFile(Setting setting, string? value, string baseDirectory)
    {
        if (value is null)
            return;
        var full = Path.GetFullPath(value, baseDirectory);
        if (Directory.Exists(full))
            throw Invalid(setting, value, "is a directory, not a file");
        if (!File.Exists(full))
            throw Invalid(setting, value, "does not exist");
    }

    private static SettingsLoadException Invalid(Setting setting, string value, string reason) =>
        new($"{setting.Name}: '{value}' {reason}");
}
