namespace Tunicorn.Master;

/// <summary>
/// Starts the new master of a binary upgrade (USR2). <see cref="OsMasterLauncher"/> starts a real process; unit tests of the
/// arbiter use a fake.
/// </summary>
internal interface IMasterLauncher
{
    /// <summary>
    /// Starts a new master that inherits <paramref name="listeners"/> and returns its pid. <paramref name="onExit"/> is called
    /// once, from any thread, with its pid and exit status (128 + N for a death by signal N) when it has exited.
    /// </summary>
    /// <exception cref="System.ComponentModel.Win32Exception">The executable could not be started (missing, not executable, broken).</exception>
    int Start(ListenerSet listeners, Action<int, int> onExit);
}
