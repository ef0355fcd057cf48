namespace Tunicorn.Control;

/// <summary>tunicorn ctl got no reply: no server, permission denied, server busy. The message is the line the user sees.</summary>
internal sealed class ControlUnreachableException(string message) : Exception(message);
