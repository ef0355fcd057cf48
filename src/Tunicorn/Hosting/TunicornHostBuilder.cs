using Tunicorn.Hooks;
using Tunicorn.Thrift;

namespace Tunicorn.Hosting;

/// <summary>
/// Embedded mode: a user's own <c>Program.cs</c> registers its handler (and hooks) in code and runs the same
/// master/worker host as the `tunicorn` command, with the same settings, flags and config file.
/// </summary>
/// <example>
/// <code>
/// return await new TunicornHostBuilder(args).Serve&lt;CalculatorHandler&gt;().RunAsync();
/// </code>
/// </example>
public sealed class TunicornHostBuilder(string[] args)
{
    private ThriftApplication? _app;
    private ServerHooks? _hooks;

    /// <summary>Serves <typeparamref name="THandler"/>, a class implementing a generated <c>Service.IAsync</c>.</summary>
    public TunicornHostBuilder Serve<THandler>() where THandler : class, new() =>
        Serve(typeof(THandler), () => new THandler());

    /// <summary>Serves handlers made by <paramref name="createHandler"/> (once, or per connection with thrift_processor_as_factory).</summary>
    public TunicornHostBuilder Serve(Type handlerType, Func<object> createHandler)
    {
        _app = ThriftApplication.FromFactory(handlerType, createHandler);
        return this;
    }

    public TunicornHostBuilder UseHooks(ServerHooks hooks)
    {
        _hooks = hooks;
        return this;
    }

    /// <summary>Runs as master, or as worker when started by a master; returns the exit code.</summary>
    public Task<int> RunAsync() => TunicornHost.RunAsync(args, _app, _hooks);
}
