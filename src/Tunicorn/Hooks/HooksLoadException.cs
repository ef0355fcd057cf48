namespace Tunicorn.Hooks;

/// <summary>The hooks class named by settings could not be found or created.</summary>
internal sealed class HooksLoadException(string message, Exception? inner = null) : Exception(message, inner);
