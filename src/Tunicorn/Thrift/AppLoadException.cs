namespace Tunicorn.Thrift;

/// <summary>The APP could not be loaded: missing file, no or several handler classes, a type that is no handler.</summary>
internal sealed class AppLoadException(string message, Exception? inner = null) : Exception(message, inner);
