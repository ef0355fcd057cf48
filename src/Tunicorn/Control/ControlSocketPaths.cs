namespace Tunicorn.Control;

/// <summary>Where a master's control socket is when <c>control_socket</c> is unset, and how <c>tunicorn ctl</c> finds it.</summary>
internal static class ControlSocketPaths
{
    private const string Prefix = "tunicorn.";
    private const string Suffix = ".ctl";

    /// <summary>$XDG_RUNTIME_DIR (the user's own folder, cleaned at logout) when set, else the system temp folder.</summary>
    public static string Folder(Func<string, string?> environment)
    {
        string? runtime = environment("XDG_RUNTIME_DIR");
        return string.IsNullOrEmpty(runtime) ? Path.GetTempPath() : runtime;
    }

    public static string Default(int masterPid, Func<string, string?> environment) =>
        Path.Combine(Folder(environment), $"{Prefix}{masterPid}{Suffix}");

    /// <summary>The pid in a default socket's file name, or null for another name.</summary>
    public static int? PidOf(string path)
    {
        string name = Path.GetFileName(path);
        if (!name.StartsWith(Prefix, StringComparison.Ordinal) || !name.EndsWith(Suffix, StringComparison.Ordinal))
            return null;
        return int.TryParse(name.AsSpan(Prefix.Length, name.Length - Prefix.Length - Suffix.Length), out int pid) && pid > 0 ? pid : null;
    }

    /// <summary>The default sockets in <paramref name="folder"/> that belong to this user and a live process.</summary>
    public static IReadOnlyList<string> FindServers(string folder)
    {
        var found = new List<string>();
        IEnumerable<string> candidates;
        try
        {
            candidates = Directory.EnumerateFiles(folder, Prefix + "*" + Suffix);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return found;
        }
        uint me = Interop.PeerCredentials.OwnUid;
        foreach (string path in candidates)
        {
            if (PidOf(path) is not int pid || !Directory.Exists($"/proc/{pid}"))
                continue; // a socket left by a master that was killed
            if (Interop.FileKinds.OwnerOf(path) is uint owner && owner != me)
                continue;
            found.Add(path);
        }
        found.Sort(StringComparer.Ordinal);
        return found;
    }
}
