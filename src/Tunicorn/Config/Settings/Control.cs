namespace Tunicorn.Config;

/// <summary>The master's control socket, which <c>tunicorn ctl</c> talks to (docs/control.md).</summary>
internal static class ControlSettings
{
    public static readonly Setting<string> ControlSocket = new("control_socket", SettingSection.Process)
    {
        Flags = ["--control-socket"],
        MetaVar = "PATH",
        Default = null,
        Validator = Validators.Path,
        Description = """
            The Unix socket the master serves tunicorn ctl on.
            Unset: $XDG_RUNTIME_DIR/tunicorn.<master pid>.ctl, or tunicorn.<master pid>.ctl in the system temp folder
            when XDG_RUNTIME_DIR is not set. Only the master's user and root are answered (checked with the peer's
            credentials, whatever the file mode). A socket that cannot be created is one warning line: the server
            serves on without it. Read once at start: a reload keeps the socket it has.
            """,
    };

    public static readonly Setting<int> ControlSocketMode = new("control_socket_mode", SettingSection.Process)
    {
        Flags = ["--control-socket-mode"],
        MetaVar = "MODE",
        // Owner only; the credential check refuses other users even with a wider mode.
        Default = Convert.ToInt32("600", 8),
        Validator = Validators.OctalFileMode,
        Description = """
            The file mode of the control socket, e.g. 0o600 or 0600.
            A leading 0 or 0o means octal; plain digits are decimal.
            """,
    };

    public static readonly Setting<bool> ControlSocketDisable = new("control_socket_disable", SettingSection.Process)
    {
        Flags = ["--no-control-socket"],
        Default = false,
        Validator = Validators.Boolean,
        Description = """
            Serve no control socket: tunicorn ctl cannot reach this server; signals still work.
            """,
    };
}
