namespace Tunicorn.Hooks;

/// <summary>The hooks in force when the user gave none: every hook does nothing.</summary>
internal sealed class NoHooks : ServerHooks;
