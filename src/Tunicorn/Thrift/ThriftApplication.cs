using Microsoft.Extensions.Logging;
using Thrift.Processor;

namespace Tunicorn.Thrift;

/// <summary>
/// The user's service, loaded: a handler type implementing a generated <c>Service.IAsync</c>, and the way to
/// build the generated <c>Service.AsyncProcessor</c> for it (one shared, or one per connection).
/// </summary>
/// <remarks>STUB surface: owned by the Thrift helper.</remarks>
public sealed class ThriftApplication
{
    /// <summary>The handler class served, e.g. <c>Tunicorn.Examples.Calculator.CalculatorHandler</c>.</summary>
    public Type HandlerType => throw new NotImplementedException();
    /// <summary>The generated service, e.g. <c>tutorial.Calculator</c>.</summary>
    public Type ServiceType => throw new NotImplementedException();
    /// <summary>The assembly APP named (where hooks classes are looked for), or null when built in code.</summary>
    public System.Reflection.Assembly? Assembly => throw new NotImplementedException();

    /// <summary>Loads <c>path/to/Assembly.dll[:Namespace.Type]</c>. Throws <see cref="AppLoadException"/> with a reason an operator can act on.</summary>
    public static ThriftApplication Load(string appSpec, string? workingDirectory = null) => throw new NotImplementedException();

    /// <summary>Embedded mode: serve this handler factory (called once, or once per connection when <c>perConnection</c>).</summary>
    public static ThriftApplication FromFactory(Type handlerType, Func<object> createHandler) => throw new NotImplementedException();

    /// <summary>A processor for a new connection: the shared one, or a new handler + processor when <paramref name="perConnection"/>.</summary>
    public ITAsyncProcessor GetProcessor(bool perConnection, ILoggerFactory loggerFactory) => throw new NotImplementedException();
}
