using Microsoft.Extensions.Logging;

namespace Tunicorn.Hooks;

/// <summary>
/// Runs user hooks so that a throwing hook is logged with its name and never takes the server down.
/// </summary>
internal sealed partial class HookRunner(ServerHooks hooks, ILogger logger)
{
    public ServerHooks Hooks { get; } = hooks;

    /// <summary>True when the hooks are the no-op defaults, so per-call paths can skip them.</summary>
    public bool IsDefault { get; } = hooks is NoHooks;

    public void Run(string name, Action<ServerHooks> hook)
    {
        try
        {
            hook(Hooks);
        }
        catch (Exception e)
        {
            HookFailed(logger, name, e);
        }
    }

    [LoggerMessage(EventId = 1900, Level = LogLevel.Error, Message = "Hook {HookName} raised an exception; carrying on")]
    private static partial void HookFailed(ILogger logger, string hookName, Exception exception);
}
