namespace Tunicorn.Client.Pooling;

/// <summary>
/// The name of the last Thrift message written on a connection ("add", or "Calculator:add" through
/// TMultiplexedProtocol). A call is a lambda the client cannot look into; the message it writes is where its method
/// shows. The call's thread writes it, the client reads it once the call ended: one reference, no lock needed.
/// </summary>
internal sealed class WrittenMethod
{
    private volatile string? _name;

    public string? Name => _name;

    public void Record(string name) => _name = name;

    public void Forget() => _name = null;
}
