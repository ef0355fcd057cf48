using System.Diagnostics.CodeAnalysis;
using Thrift.Processor;
using Tunicorn.Hooks;
using Tunicorn.Thrift;

namespace Tunicorn.Hosting;

/// <summary>
/// Embedded mode: a user's own <c>Program.cs</c> registers its handler (and hooks) in code and runs the same
/// master/worker host as the `tunicorn` command, with the same settings, flags and config file.
/// </summary>
/// <example>
/// <code>
/// return await new TunicornHostBuilder(args).Serve&lt;CalculatorHandler, Calculator.AsyncProcessor&gt;().RunAsync();
/// </code>
/// </example>
public sealed class TunicornHostBuilder(string[] args)
{
    private const string FindsProcessorByName =
        "Finds the generated Service.AsyncProcessor of the handler by name, which trimming and NativeAOT cannot see; " +
        "name it instead: Serve<THandler, TProcessor>().";

    private ThriftApplication? _app;
    private ServerHooks? _hooks;

    /// <summary>Serves <typeparamref name="THandler"/>, a class implementing a generated <c>Service.IAsync</c>.</summary>
    [RequiresUnreferencedCode(FindsProcessorByName)]
    [RequiresDynamicCode(FindsProcessorByName)]
    public TunicornHostBuilder Serve<THandler>() where THandler : class, new() =>
        Serve(typeof(THandler), () => new THandler());

    /// <summary>
    /// Serves <typeparamref name="THandler"/> through <typeparamref name="TProcessor"/>, the generated
    /// <c>Service.AsyncProcessor</c> of the service it implements: named here, it stays in a trimmed or NativeAOT program.
    /// </summary>
    public TunicornHostBuilder Serve<
        [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.Interfaces)] THandler,
        [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TProcessor>()
        where THandler : class, new()
        where TProcessor : ITAsyncProcessor
    {
        _app = ThriftApplication.FromFactory<THandler, TProcessor>(() => new THandler());
        return this;
    }

    /// <summary>Serves handlers made by <paramref name="createHandler"/> (once, or per connection with thrift_processor_as_factory).</summary>
    [RequiresUnreferencedCode(FindsProcessorByName)]
    [RequiresDynamicCode(FindsProcessorByName)]
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
    /// <remarks>A program that serves the APP setting rather than a handler of its own calls <see cref="TunicornHost.RunAsync(string[])"/>.</remarks>
    public Task<int> RunAsync() =>
        TunicornHost.RunAsync(args, _app ?? throw new InvalidOperationException("no handler: call Serve before RunAsync"), _hooks);
}
