namespace Tunicorn.Hosting;

/// <summary>
/// Settings that parse but cannot be served: a certificate that cannot be read, a service registry class that cannot be
/// built. Found by the master before it binds (and by --check-config), not by every worker after it listens.
/// </summary>
internal sealed class SettingsCheckException(string message, Exception? inner = null) : Exception(message, inner);
