using Tunicorn.Hooks;

namespace Tunicorn.Master;

/// <summary>A reload begun by a HUP: the generation being started, what it runs with, and how long it may take to boot.</summary>
/// <param name="BegunAt">A timestamp of the arbiter's <see cref="TimeProvider"/>.</param>
internal sealed record PendingReload(int Generation, ServerGeneration Next, HookRunner Hooks, ListenerSet Listeners, long BegunAt, TimeSpan Allowance);
