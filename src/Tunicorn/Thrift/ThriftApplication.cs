using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.Extensions.Logging;
using Thrift.Processor;
using Tunicorn.Config;

namespace Tunicorn.Thrift;

/// <summary>
/// The user's service, loaded: a handler type implementing a generated <c>Service.IAsync</c>, and the way to
/// build the generated <c>Service.AsyncProcessor</c> for it (one shared, or one per connection). Or several named
/// services (the service setting), served multiplexed: a call named <c>NAME:method</c> goes to service NAME, a call
/// without a service name to the first one.
/// </summary>
/// <remarks>
/// The shared processor is created once and used by every connection at the same time: the generated processor
/// keeps no per-call state, so the handler must be thread-safe, as with any multi-threaded Thrift server.
/// </remarks>
internal sealed class ThriftApplication
{
    internal const string LoadsByName =
        "Loads the app assembly by path and finds its handler and generated processor by name, which trimming and NativeAOT " +
        "cannot see; embedded programs name both in code: FromFactory<THandler, TProcessor>.";

    private readonly IReadOnlyList<ServiceBinding> _services;
    private readonly bool _multiplexed;
    private readonly Lock _gate = new();
    private ServiceProcessors? _shared;

    private ThriftApplication(IReadOnlyList<ServiceBinding> services, bool multiplexed)
    {
        _services = services;
        _multiplexed = multiplexed;
        HandlerType = services[0].HandlerType;
        ServiceType = services[0].ServiceType;
        Assembly = services[0].Assembly;
    }

    /// <summary>One service: its handler, how to create it, and how to build its processor.</summary>
    private sealed class ServiceBinding
    {
        private readonly Func<object> _createHandler;
        private readonly Func<object, ILoggerFactory, ITAsyncProcessor> _createProcessor;

        public ServiceBinding(string? name, HandlerDiscovery.Service service, Type handlerType, Func<object> createHandler, Assembly? assembly,
            Func<object, ILoggerFactory, ITAsyncProcessor> createProcessor)
        {
            Name = name;
            HandlerType = handlerType;
            ServiceType = service.ServiceType;
            Assembly = assembly;
            _createHandler = createHandler;
            _createProcessor = createProcessor;
        }

        /// <summary>The name multiplexed clients use, or null for an app served alone.</summary>
        public string? Name { get; }
        public Type HandlerType { get; }
        public Type ServiceType { get; }
        public Assembly? Assembly { get; }

        public ITAsyncProcessor CreateProcessor(ILoggerFactory loggerFactory) => _createProcessor(CreateHandler(), loggerFactory);

        public object CreateHandler()
        {
            object handler;
            try
            {
                handler = _createHandler();
            }
            catch (Exception e)
            {
                throw new AppLoadException($"creating the handler {HandlerType.FullName} failed: {e.GetType().Name}: {e.Message}", e);
            }
            if (!HandlerType.IsInstanceOfType(handler))
                throw new AppLoadException($"the handler factory for {HandlerType.FullName} returned a {handler.GetType().FullName}");
            return handler;
        }
    }

    /// <summary>The handler class served, e.g. <c>Tunicorn.Examples.Calculator.CalculatorHandler</c>.</summary>
    public Type HandlerType { get; }
    /// <summary>The generated service, e.g. <c>tutorial.Calculator</c>.</summary>
    public Type ServiceType { get; }
    /// <summary>The assembly APP named (where hooks classes are looked for), or null when built in code.</summary>
    public Assembly? Assembly { get; }

    /// <summary>Loads <c>path/to/Assembly.dll[:Namespace.Type]</c>. Throws <see cref="AppLoadException"/> with a reason an operator can act on.</summary>
    /// <param name="workingDirectory">Where a relative path starts (the chdir setting); the current directory when null.</param>
    /// <param name="probePaths">Folders where the app's dependencies not beside it are looked for (app_probe_paths).</param>
    [RequiresUnreferencedCode(LoadsByName)]
    [RequiresDynamicCode(LoadsByName)]
    public static ThriftApplication Load(string appSpec, string? workingDirectory = null, IReadOnlyList<string>? probePaths = null) =>
        Load(appSpec, workingDirectory, probePaths, collectible: false);

    [RequiresUnreferencedCode(LoadsByName)]
    [RequiresDynamicCode(LoadsByName)]
    private static ThriftApplication Load(string appSpec, string? workingDirectory, IReadOnlyList<string>? probePaths, bool collectible)
    {
        if (string.IsNullOrWhiteSpace(appSpec))
            throw new AppLoadException("APP is empty: expected path/to/Assembly.dll[:Namespace.Type]");

        (string path, string? typeName) = ParseSpec(appSpec);
        string baseDirectory = Path.GetFullPath(workingDirectory ?? Environment.CurrentDirectory);
        string fullPath = Path.GetFullPath(path, baseDirectory);
        Assembly assembly = LoadAssembly(appSpec, fullPath, baseDirectory, probePaths, collectible);
        return new ThriftApplication([Bind(appSpec, name: null, path, typeName, assembly)], multiplexed: false);
    }

    /// <summary>
    /// What the settings name: the services of the service setting, served multiplexed, or else APP alone.
    /// Throws <see cref="AppLoadException"/> with a reason an operator can act on.
    /// </summary>
    [RequiresUnreferencedCode(LoadsByName)]
    [RequiresDynamicCode(LoadsByName)]
    public static ThriftApplication Load(Settings settings, string? workingDirectory = null) => Load(settings, workingDirectory, collectible: false);

    /// <summary>
    /// As <see cref="Load(Settings, string?)"/>, into load contexts that <see cref="Unload"/> releases: for the master,
    /// which loads the app anew at every HUP and would otherwise keep every copy for its whole life.
    /// </summary>
    [RequiresUnreferencedCode(LoadsByName)]
    [RequiresDynamicCode(LoadsByName)]
    internal static ThriftApplication LoadUnloadable(Settings settings) => Load(settings, workingDirectory: null, collectible: true);

    [RequiresUnreferencedCode(LoadsByName)]
    [RequiresDynamicCode(LoadsByName)]
    private static ThriftApplication Load(Settings settings, string? workingDirectory, bool collectible)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Services.Count == 0)
            return Load(settings.App ?? throw new AppLoadException("no APP given: name an assembly, e.g. tunicorn MyService.dll"), workingDirectory,
                settings.AppProbePaths, collectible);
        if (settings.App is not null)
            throw new AppLoadException($"both APP '{settings.App}' and --service given: name every service with --service NAME=APP, or serve APP alone");
        return LoadServices(settings.Services, workingDirectory, settings.AppProbePaths, collectible);
    }

    /// <summary>
    /// Creates every service's handler once and lets it go (disposing it if it is disposable), so that a constructor that
    /// throws stops the start or the reload before anything is served. Throws <see cref="AppLoadException"/>.
    /// </summary>
    internal void CheckHandlers()
    {
        foreach (ServiceBinding service in _services)
        {
            if (service.CreateHandler() is not IDisposable disposable)
                continue;
            try
            {
                disposable.Dispose();
            }
            catch (Exception e)
            {
                throw new AppLoadException($"disposing the handler {service.HandlerType.FullName} failed: {e.GetType().Name}: {e.Message}", e);
            }
        }
    }

    /// <summary>Lets the runtime free the app's assemblies once nothing uses them; only for <see cref="LoadUnloadable"/>.</summary>
    internal void Unload()
    {
        foreach (var context in _services.Select(s => s.Assembly).OfType<Assembly>().Select(AssemblyLoadContext.GetLoadContext).Distinct())
        {
            if (context is { IsCollectible: true })
                context.Unload();
        }
    }

    /// <summary>Loads <c>NAME=path/to/Assembly.dll[:Namespace.Type]</c> entries, served multiplexed; the first is also the default service.</summary>
    [RequiresUnreferencedCode(LoadsByName)]
    [RequiresDynamicCode(LoadsByName)]
    public static ThriftApplication LoadServices(IReadOnlyList<string> serviceSpecs, string? workingDirectory = null,
        IReadOnlyList<string>? probePaths = null) =>
        LoadServices(serviceSpecs, workingDirectory, probePaths, collectible: false);

    [RequiresUnreferencedCode(LoadsByName)]
    [RequiresDynamicCode(LoadsByName)]
    private static ThriftApplication LoadServices(IReadOnlyList<string> serviceSpecs, string? workingDirectory, IReadOnlyList<string>? probePaths,
        bool collectible)
    {
        if (serviceSpecs.Count == 0)
            throw new AppLoadException("no service given: expected NAME=path/to/Assembly.dll[:Namespace.Type]");
        string baseDirectory = Path.GetFullPath(workingDirectory ?? Environment.CurrentDirectory);
        // Services from one assembly share one load of it, so that their types are the same types.
        var assemblies = new Dictionary<string, Assembly>(StringComparer.Ordinal);
        var bindings = new List<ServiceBinding>();
        foreach (string spec in serviceSpecs)
        {
            int equals = spec.IndexOf('=');
            if (equals <= 0)
                throw new AppLoadException($"service '{spec}' is not NAME=path/to/Assembly.dll[:Namespace.Type]");
            string name = spec[..equals].Trim();
            string appSpec = spec[(equals + 1)..].Trim();
            if (bindings.Any(b => b.Name == name))
                throw new AppLoadException($"service '{name}' is named twice; each --service needs its own NAME");

            (string path, string? typeName) = ParseSpec(appSpec);
            string fullPath = Path.GetFullPath(path, baseDirectory);
            if (!assemblies.TryGetValue(fullPath, out Assembly? assembly))
                assemblies[fullPath] = assembly = LoadAssembly(spec, fullPath, baseDirectory, probePaths, collectible);
            bindings.Add(Bind(spec, name, path, typeName, assembly));
        }
        return new ThriftApplication(bindings, multiplexed: true);
    }

    /// <summary>The handler of one service in <paramref name="assembly"/>: the type named, or the one that fits.</summary>
    [RequiresUnreferencedCode(LoadsByName)]
    [RequiresDynamicCode(LoadsByName)]
    private static ServiceBinding Bind(string appSpec, string? name, string path, string? typeName, Assembly assembly)
    {
        IReadOnlyList<Type> types = HandlerDiscovery.LoadableTypes(assembly, out string? loadProblem);
        string assemblyName = assembly.GetName().Name ?? path;
        Type handlerType = typeName is not null ? FindNamedHandler(appSpec, typeName, assembly, assemblyName, types, loadProblem)
            : name is not null ? FindServiceHandler(appSpec, name, path, assemblyName, types, loadProblem)
            : FindSingleHandler(appSpec, path, assemblyName, types, loadProblem);

        // A type named explicitly serves its own (most derived) service whatever NAME clients use for it.
        HandlerDiscovery.Service service = (name is null || typeName is not null ? HandlerDiscovery.Describe(handlerType, out string? problem)
                : HandlerDiscovery.Describe(handlerType, name, out problem))
            ?? throw new AppLoadException($"APP '{appSpec}': {handlerType.FullName} {problem}");
        ConstructorInfo constructor = handlerType.GetConstructor(Type.EmptyTypes)
            ?? throw new AppLoadException($"APP '{appSpec}': {handlerType.FullName} has no public parameterless constructor; " +
                "Tunicorn creates the handler with new(). Embedded mode can pass a factory instead (ThriftApplication.FromFactory).");

        // An invoker rather than ConstructorInfo.Invoke: the handler's own exceptions arrive unwrapped, and per-connection
        // handlers cost tens of nanoseconds. Not a compiled expression: compiling one costs a new worker ~15 ms of start-up.
        var invoker = ConstructorInvoker.Create(constructor);
        Func<object> createHandler = () => invoker.Invoke();
        return new ServiceBinding(name, service, handlerType, createHandler, assembly, ProcessorFactory(service));
    }

    /// <summary>Embedded mode: serve this handler factory (called once, or once per connection when <c>perConnection</c>).</summary>
    [RequiresUnreferencedCode(LoadsByName)]
    [RequiresDynamicCode(LoadsByName)]
    public static ThriftApplication FromFactory(Type handlerType, Func<object> createHandler)
    {
        ArgumentNullException.ThrowIfNull(handlerType);
        ArgumentNullException.ThrowIfNull(createHandler);
        HandlerDiscovery.Service service = HandlerDiscovery.Describe(handlerType, out string? problem)
            ?? throw new AppLoadException($"handler {handlerType.FullName} {problem}");
        return new ThriftApplication([new ServiceBinding(null, service, handlerType, createHandler, assembly: null, ProcessorFactory(service))], multiplexed: false);
    }

    /// <summary>
    /// Embedded mode: serve this handler factory through <typeparamref name="TProcessor"/>, the generated
    /// <c>Service.AsyncProcessor</c> of a service <typeparamref name="THandler"/> implements. Both are named in code, so
    /// a trimmed or NativeAOT program keeps them: nothing is looked up by name or compiled at run time.
    /// </summary>
    public static ThriftApplication FromFactory<
        [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.Interfaces)] THandler,
        [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TProcessor>(Func<THandler> createHandler)
        where THandler : class
        where TProcessor : ITAsyncProcessor
    {
        ArgumentNullException.ThrowIfNull(createHandler);
        HandlerDiscovery.Service service = HandlerDiscovery.Describe(typeof(THandler), typeof(TProcessor), out string? problem)
            ?? throw new AppLoadException($"handler {typeof(THandler).FullName} {problem}");
        // Compilers before Thrift 0.14 generated a constructor without the logger.
        Func<object, ILoggerFactory, ITAsyncProcessor> createProcessor;
        if (typeof(TProcessor).GetConstructor([service.Interface, typeof(ILogger<TProcessor>)]) is { } withLogger)
            createProcessor = (handler, loggerFactory) => (ITAsyncProcessor)withLogger.Invoke([handler, loggerFactory.CreateLogger<TProcessor>()]);
        else if (typeof(TProcessor).GetConstructor([service.Interface]) is { } withoutLogger)
            createProcessor = (handler, _) => (ITAsyncProcessor)withoutLogger.Invoke([handler]);
        else
            throw new AppLoadException($"{typeof(TProcessor).FullName} has no constructor taking ({service.Interface.FullName}[, ILogger]): " +
                "was it generated by thrift --gen netstd?");
        return new ThriftApplication([new ServiceBinding(null, service, typeof(THandler), createHandler, assembly: null, createProcessor)], multiplexed: false);
    }

    /// <summary>The service names multiplexed clients use, in the order given; empty for an app served alone.</summary>
    public IReadOnlyList<string> ServiceNames => _multiplexed ? _services.Select(s => s.Name!).ToArray() : [];

    /// <summary>
    /// The processor of the first (for a single app, the only) service for a new connection: the shared one, or a new
    /// handler + processor when <paramref name="perConnection"/>. Creates every service's handler, so that a
    /// constructor that throws shows at boot.
    /// </summary>
    /// <remarks>
    /// The processor logs handler exceptions through <paramref name="loggerFactory"/> (for the shared one, the
    /// factory of the first call). A handler that cannot be created is an <see cref="AppLoadException"/>.
    /// </remarks>
    public ITAsyncProcessor GetProcessor(bool perConnection, ILoggerFactory loggerFactory) =>
        GetProcessors(perConnection, loggerFactory).Default;

    /// <summary>The processors of every service for a new connection, shared or new as in <see cref="GetProcessor"/>.</summary>
    internal ServiceProcessors GetProcessors(bool perConnection, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        if (perConnection)
            return CreateProcessors(loggerFactory);
        if (_shared is { } shared)
            return shared;
        lock (_gate)
            return _shared ??= CreateProcessors(loggerFactory);
    }

    private ServiceProcessors CreateProcessors(ILoggerFactory loggerFactory)
    {
        if (!_multiplexed)
            return new ServiceProcessors(_services[0].CreateProcessor(loggerFactory), byName: null);
        var byName = new Dictionary<string, ITAsyncProcessor>(StringComparer.Ordinal);
        foreach (ServiceBinding service in _services)
            byName[service.Name!] = service.CreateProcessor(loggerFactory);
        return new ServiceProcessors(byName[_services[0].Name!], byName);
    }

    /// <summary>
    /// <c>(handler, loggerFactory) => new Service.AsyncProcessor((Service.IAsync)handler, new Logger&lt;AsyncProcessor&gt;(loggerFactory))</c>;
    /// compilers before Thrift 0.14 generated a constructor without the logger.
    /// </summary>
    [RequiresUnreferencedCode(LoadsByName)]
    [RequiresDynamicCode(LoadsByName)]
    private static Func<object, ILoggerFactory, ITAsyncProcessor> ProcessorFactory(HandlerDiscovery.Service service)
    {
        // Logger<T> is what ILoggerFactory.CreateLogger<T>() returns; T is only known here, at run time.
        Type loggerType = typeof(ILogger<>).MakeGenericType(service.ProcessorType);
        Type loggerClass = typeof(Logger<>).MakeGenericType(service.ProcessorType);
        Func<object, object?, ITAsyncProcessor> create = ProcessorConstructor(service, loggerType);
        return (handler, loggerFactory) => create(handler, Activator.CreateInstance(loggerClass, loggerFactory));
    }

    [RequiresUnreferencedCode(LoadsByName)]
    [RequiresDynamicCode(LoadsByName)]
    private static Func<object, object?, ITAsyncProcessor> ProcessorConstructor(HandlerDiscovery.Service service, Type loggerType)
    {
        if (service.ProcessorType.GetConstructor([service.Interface, loggerType]) is { } withLogger)
        {
            var invoker = ConstructorInvoker.Create(withLogger);
            return (handler, logger) => (ITAsyncProcessor)invoker.Invoke(handler, logger);
        }
        if (service.ProcessorType.GetConstructor([service.Interface]) is { } withoutLogger)
        {
            var invoker = ConstructorInvoker.Create(withoutLogger);
            return (handler, _) => (ITAsyncProcessor)invoker.Invoke(handler);
        }
        throw new AppLoadException($"{service.ProcessorType.FullName} has no constructor taking ({service.Interface.FullName}[, ILogger]): " +
            "was it generated by thrift --gen netstd?");
    }

    private static (string Path, string? TypeName) ParseSpec(string appSpec)
    {
        // "dir/My.Service.dll:My.Namespace.Handler": the type follows the last ':' when what precedes it names a
        // .dll, so paths that contain ':' still work without a type.
        int colon = appSpec.LastIndexOf(':');
        if (colon > 0 && appSpec.AsSpan(0, colon).EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
        {
            string typeName = appSpec[(colon + 1)..].Trim();
            return (appSpec[..colon], typeName.Length == 0 ? null : typeName);
        }
        return (appSpec, null);
    }

    [RequiresUnreferencedCode(LoadsByName)]
    [RequiresDynamicCode(LoadsByName)]
    private static Assembly LoadAssembly(string appSpec, string fullPath, string baseDirectory, IReadOnlyList<string>? probePaths, bool collectible)
    {
        if (!File.Exists(fullPath))
        {
            string hint = Directory.Exists(fullPath) || fullPath.EndsWith(".csproj", StringComparison.OrdinalIgnoreCase)
                ? "; name the built assembly, e.g. artifacts/bin/MyService/release/MyService.dll"
                : "";
            throw new AppLoadException($"APP '{appSpec}': no such file {fullPath} (relative paths start at {baseDirectory}){hint}");
        }

        try
        {
            if (AppLoadContext.IsHostAssembly(fullPath))
                return AssemblyLoadContext.Default.LoadFromAssemblyPath(fullPath);
            var probeFolders = (probePaths ?? []).Select(p => Path.GetFullPath(p, baseDirectory)).ToArray();
            return new AppLoadContext(fullPath, probeFolders, collectible).LoadImage(fullPath);
        }
        catch (BadImageFormatException e)
        {
            throw new AppLoadException($"APP '{appSpec}': {fullPath} is not a .NET assembly ({e.Message})", e);
        }
        catch (Exception e) when (e is FileLoadException or InvalidOperationException or IOException)
        {
            throw new AppLoadException($"APP '{appSpec}': cannot load {fullPath}: {e.Message}", e);
        }
    }

    [RequiresUnreferencedCode(LoadsByName)]
    [RequiresDynamicCode(LoadsByName)]
    private static Type FindSingleHandler(string appSpec, string path, string assemblyName, IReadOnlyList<Type> types, string? loadProblem)
    {
        Type[] candidates = types.Where(HandlerDiscovery.IsCandidate).ToArray();
        if (candidates.Length == 1)
            return candidates[0];

        if (candidates.Length > 1)
        {
            throw new AppLoadException($"APP '{appSpec}': several handler classes in {assemblyName}: " +
                $"{string.Join(", ", candidates.Select(t => t.FullName))}; name one, e.g. {path}:{candidates[0].FullName}");
        }

        string services = string.Join(", ", HandlerDiscovery.Services(types).Select(t => t.FullName).Distinct());
        throw new AppLoadException($"APP '{appSpec}': no handler class in {assemblyName}: expected a public non-abstract class " +
            "implementing a generated Service.IAsync interface (thrift --gen netstd)" +
            (services.Length > 0 ? $"; services found but not implemented: {services}" : "") +
            (loadProblem is null ? "" : $"; some types could not be loaded: {loadProblem}"));
    }

    [RequiresUnreferencedCode(LoadsByName)]
    [RequiresDynamicCode(LoadsByName)]
    private static Type FindServiceHandler(string appSpec, string name, string path, string assemblyName, IReadOnlyList<Type> types, string? loadProblem)
    {
        Type[] candidates = types.Where(t => HandlerDiscovery.IsCandidate(t) && HandlerDiscovery.Describe(t, name, out _) is not null).ToArray();
        if (candidates.Length == 1)
            return candidates[0];
        if (candidates.Length > 1)
        {
            throw new AppLoadException($"service '{appSpec}': several handler classes implement {name}.IAsync in {assemblyName}: " +
                $"{string.Join(", ", candidates.Select(t => t.FullName))}; name one, e.g. {name}={path}:{candidates[0].FullName}");
        }
        string services = string.Join(", ", HandlerDiscovery.Services(types).Select(t => t.Name).Distinct());
        throw new AppLoadException($"service '{appSpec}': no handler class implementing a generated {name}.IAsync in {assemblyName}" +
            (services.Length > 0 ? $"; services found: {services}" : "") +
            (loadProblem is null ? "" : $"; some types could not be loaded: {loadProblem}"));
    }

    [RequiresUnreferencedCode(LoadsByName)]
    [RequiresDynamicCode(LoadsByName)]
    private static Type FindNamedHandler(string appSpec, string typeName, Assembly assembly, string assemblyName, IReadOnlyList<Type> types, string? loadProblem)
    {
        Type? type;
        try
        {
            type = assembly.GetType(typeName, throwOnError: false);
        }
        catch (Exception e) when (e is FileNotFoundException or FileLoadException or TypeLoadException or BadImageFormatException)
        {
            throw new AppLoadException($"APP '{appSpec}': cannot load type '{typeName}': {e.Message}", e);
        }
        if (type is not null)
            return type;

        Type[] candidates = types.Where(HandlerDiscovery.IsCandidate).ToArray();
        Type? sameName = candidates.FirstOrDefault(t => t.Name == typeName || t.FullName?.EndsWith("." + typeName, StringComparison.Ordinal) == true);
        throw new AppLoadException($"APP '{appSpec}': no type '{typeName}' in {assemblyName}" +
            (sameName is not null ? $"; did you mean {sameName.FullName}?" :
                candidates.Length > 0 ? $"; handler classes found: {string.Join(", ", candidates.Select(t => t.FullName))}" : "") +
            (loadProblem is null ? "" : $"; some types could not be loaded: {loadProblem}"));
    }
}
