namespace Tunicorn.ZooKeeper.Addressing;

/// <summary>Node path rules (PathUtils.validatePath in ZooKeeper) and the translation between the caller's paths and the server's under a chroot.</summary>
internal static class ZooKeeperPath
{
    /// <exception cref="ArgumentException">The path breaks a rule; the message says which.</exception>
    public static void Validate(string path, bool sequential = false)
    {
        ArgumentNullException.ThrowIfNull(path);
        string? problem = Check(path, sequential);
        if (problem is not null)
            throw new ArgumentException($"invalid ZooKeeper path '{path}': it {problem}", nameof(path));
    }

    /// <summary>Why <paramref name="path"/> is not a valid node path, or null if it is.</summary>
    /// <param name="sequential">A sequential create may end in '/': the server appends the counter as the last name.</param>
    public static string? Check(string path, bool sequential)
    {
        if (path.Length == 0)
            return "is empty";
        if (path[0] != '/')
            return "does not start with '/'";
        if (path.Length == 1)
            return null;
        if (path[^1] == '/' && !sequential)
            return "ends with '/'";

        string[] names = path[1..].Split('/');
        for (int i = 0; i < names.Length; i++)
        {
            string name = names[i];
            bool last = i == names.Length - 1;
            if (name.Length == 0 && !(last && sequential))
                return "has an empty name ('//')";
            if (name is "." or "..")
                return "has a relative name ('.' or '..')";
            foreach (char c in name)
            {
                // The same ranges the server refuses: controls, surrogates and private use, specials.
                if (c == '\0' || c is > '\u0000' and <= '\u001f' or >= '\u007f' and <= '\u009f'
                    or >= '\ud800' and <= '\uf8ff' or >= '\ufff0')
                    return $"has the character U+{(int)c:X4}, which ZooKeeper does not allow";
            }
        }
        return null;
    }

    /// <summary>The server's path for a caller's path.</summary>
    public static string ToServer(string? chroot, string path) =>
        chroot is null ? path : path == "/" ? chroot : chroot + path;

    /// <summary>The caller's path for a server's path (from a create answer or a watch event).</summary>
    public static string ToClient(string? chroot, string serverPath)
    {
        if (chroot is null)
            return serverPath;
        if (serverPath == chroot)
            return "/";
        return serverPath.StartsWith(chroot + "/", StringComparison.Ordinal) ? serverPath[chroot.Length..] : serverPath;
    }
}
