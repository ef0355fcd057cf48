namespace Tunicorn.Registry;

/// <summary>Waits shared by the registry backends.</summary>
internal static class RegistryDelays
{
    /// <summary>
    /// After the entries are removed: give watching clients deregister_delay to move away before the workers drain.
    /// Cut short, without error, when the master's bound on deregistration runs out.
    /// </summary>
    public static async Task AfterDeregisterAsync(ServiceRegistryContext context, CancellationToken cancellationToken)
    {
        if (context.Options.DeregisterDelay <= TimeSpan.Zero)
            return;
        try
        {
            await Task.Delay(context.Options.DeregisterDelay, context.TimeProvider, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
