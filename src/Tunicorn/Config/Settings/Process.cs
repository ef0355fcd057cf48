using Tunicorn.Interop;

namespace Tunicorn.Config;

/// <summary>Settings of the master and worker processes themselves: directory, environment, identity, files.</summary>
internal static class ProcessSettings
{
    // Validators are declared before the settings whose initializers read them (static fields initialize in textual order).
    // A name is looked up when it is read, as gunicorn does: an unknown user fails here, with one line, not in every
    // worker once the master already listens. Numeric ids are taken as they are (a uid need not have a passwd entry).
    private static readonly Validator<string> UserAccount = new(
        Validators.AccountName.Type,
        text => Known(Validators.AccountName.Parse(text), name => ProcessIdentity.LookupUser(name), "user"),
        value => value);

    private static readonly Validator<string> GroupAccount = new(
        Validators.AccountName.Type,
        text => Known(Validators.AccountName.Parse(text), name => ProcessIdentity.LookupGroup(name), "group"),
        value => value);

    public static readonly Setting<string> Chdir = new("chdir", SettingSection.Process)
    {
        Flags = ["--chdir"],
        MetaVar = "PATH",
        Default = null,
        Validator = Validators.Path,
        Description = """
            Change to this directory before loading the app.
            Unset stays in the directory tunicorn was started in.
            """,
    };

    /// <summary>KEY=VALUE entries, validated: the key is non-empty.</summary>
    public static readonly Setting<IReadOnlyList<string>> RawEnv = new("raw_env", SettingSection.Process)
    {
        Flags = ["-e", "--env"],
        MetaVar = "KEY=VALUE",
        Default = [],
        Validator = Validators.ListOf(Validators.KeyValue),
        Description = """
            Set an environment variable in the master and the workers.
            Repeat the option for several variables. The value may be empty (KEY=) and may contain '='.
            """,
    };

    public static readonly Setting<string> Pidfile = new("pidfile", SettingSection.Process)
    {
        Flags = ["-p", "--pid"],
        MetaVar = "PATH",
        Default = null,
        Validator = Validators.Path,
        Description = """
            Write the master's pid to this file; it is removed when the master exits.
            Refused when the file names another running process.
            """,
    };

    public static readonly Setting<string> User = new("user", SettingSection.Process)
    {
        Flags = ["-u", "--user"],
        MetaVar = "USER",
        Default = null,
        Validator = UserAccount,
        Description = """
            Run the workers as this user, a name or a numeric id.
            Unset keeps the user tunicorn was started as. Switching needs root.
            """,
    };

    public static readonly Setting<string> Group = new("group", SettingSection.Process)
    {
        Flags = ["-g", "--group"],
        MetaVar = "GROUP",
        Default = null,
        Validator = GroupAccount,
        Description = """
            Run the workers as this group, a name or a numeric id.
            Unset: the user's primary group from /etc/passwd when user is set (a numeric
            user with no entry there: the group of the same number), else the group
            tunicorn was started as. Switching needs root.
            """,
    };

    /// <summary>The umask to set; null keeps the inherited one.</summary>
    public static readonly Setting<int?> Umask = new("umask", SettingSection.Process)
    {
        Flags = ["-m", "--umask"],
        MetaVar = "MODE",
        Default = null,
        Validator = Validators.Optional(Validators.OctalUmask),
        Description = """
            The file mode creation mask of the processes, e.g. 0o22, 022 or 18.
            A leading 0 or 0o means octal, as in a shell; plain digits are decimal. Unset keeps the inherited
            umask.
            """,
    };

    public static readonly Setting<string> ProcName = new("proc_name", SettingSection.Process)
    {
        Flags = ["-n", "--name"],
        MetaVar = "STRING",
        Default = null,
        Validator = Validators.Text,
        Description = """
            The name ps shows for the processes: tunicorn: master [NAME] and tunicorn: worker [NAME].
            Unset, NAME is the app (its assembly file name without .dll, and :Type when given), as gunicorn
            names them after the app. The process name (comm, 15 bytes, what top and pgrep match) stays
            tunicorn-master and tunicorn-worker whatever NAME is. The title is written over the command line, so it
            is cut to the length of the master's command line; workers are given room for it.
            """,
    };

    /// <summary>With <see cref="User"/> set, workers get that user's supplementary groups (initgroups(3)); otherwise none.</summary>
    public static readonly Setting<bool> Initgroups = new("initgroups", SettingSection.Process)
    {
        Flags = ["--initgroups"],
        // Same default as gunicorn: no supplementary groups.
        Default = false,
        Validator = Validators.Boolean,
        Description = """
            With user set, give the workers that user's supplementary groups from /etc/group.
            Read with initgroups(3). Off, a worker that switches user keeps no supplementary group, so that it cannot use the groups of the
            user tunicorn was started as (root's, usually).
            """,
    };

    /// <summary>Detach the master into the background (a new session, stdio on /dev/null).</summary>
    public static readonly Setting<bool> Daemon = new("daemon", SettingSection.Process)
    {
        Flags = ["-D", "--daemon"],
        // Same default as gunicorn: stay in the foreground.
        Default = false,
        Validator = Validators.Boolean,
        Description = """
            Detach the master into the background.
            The command returns once the master listens and has started its workers (exit 0), or fails with the
            master's exit code and its reason on stderr when it cannot start. The master then runs in a new session
            with stdin, stdout and stderr on /dev/null: set errorlog (and pidfile) to files. .NET cannot fork, so the
            master is this program started again, detached.
            """,
    };

    private static string Known(string name, Action<string> lookUp, string kind)
    {
        try
        {
            lookUp(name);
            return name;
        }
        catch (ArgumentException)
        {
            throw new SettingValueException(name, $"is not a {kind} on this system (no such name in the {kind} database)");
        }
    }
}
