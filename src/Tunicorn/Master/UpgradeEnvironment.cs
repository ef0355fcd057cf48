using System.Globalization;

namespace Tunicorn.Master;

/// <summary>
/// The environment variables through which a master started by USR2 (binary upgrade) learns what its predecessor passed
/// it: gunicorn's GUNICORN_FD under our name, and the pid of the master that started it.
/// </summary>
internal static class UpgradeEnvironment
{
    /// <summary>The listening descriptors the new master inherits, comma-separated ("3,4"); they keep their numbers across exec.</summary>
    public const string ListenerFds = "TUNICORN_FD";

    /// <summary>The pid of the master that started this one by USR2: set only in a master started by an upgrade.</summary>
    public const string ParentPid = "TUNICORN_UPGRADE_PARENT";

    /// <summary>The pid of the master that started this one by USR2, or null when this master was not started by an upgrade.</summary>
    public static int? UpgradeParent(Func<string, string?> environment) =>
        int.TryParse(environment(ParentPid), NumberStyles.None, CultureInfo.InvariantCulture, out int pid) && pid > 0 ? pid : null;

    /// <summary>The descriptors <see cref="ListenerFds"/> lists.</summary>
    /// <exception cref="InvalidOperationException">The list holds something that is not a descriptor number.</exception>
    public static IReadOnlyList<int> Descriptors(Func<string, string?> environment)
    {
        if (environment(ListenerFds) is not { Length: > 0 } text)
            return [];
        var fds = new List<int>();
        foreach (string part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int fd) || fd < 3)
                throw new InvalidOperationException($"{ListenerFds}={text}: '{part}' is not a descriptor number (3 or more)");
            fds.Add(fd);
        }
        return fds;
    }

    /// <summary>The value of <see cref="ListenerFds"/> for <paramref name="descriptors"/>.</summary>
    public static string Format(IEnumerable<int> descriptors) =>
        string.Join(',', descriptors.Select(fd => fd.ToString(CultureInfo.InvariantCulture)));
}
