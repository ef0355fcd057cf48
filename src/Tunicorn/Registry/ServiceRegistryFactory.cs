using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Microsoft.Extensions.Logging;
using Tunicorn.Config;
using Tunicorn.Thrift;

namespace Tunicorn.Registry;

/// <summary>Builds the master's <see cref="IServiceRegistry"/> from service_register_cls and service_register_conf.</summary>
internal static partial class ServiceRegistryFactory
{
    internal const string LoadsByName =
        "service_register_cls may name a class, and without an app given the APP assembly is loaded by path to learn its service, " +
        "which trimming and NativeAOT cannot see; an embedded program uses TryCreateEmbedded with its app.";

    /// <summary>
    /// The registry the settings name, or false (after logging why) when it cannot be built: a custom type that does
    /// not exist or does not implement IServiceRegistry. A registry that is merely down is not an error here.
    /// </summary>
    /// <param name="embeddedApp">The app registered in code (embedded mode), whose service names the entries carry.</param>
    [RequiresUnreferencedCode(LoadsByName)]
    [RequiresDynamicCode(LoadsByName)]
    public static bool TryCreate(Settings settings, ThriftApplication? embeddedApp, ILoggerFactory loggerFactory, out IServiceRegistry registry) =>
        Logged(TryCreate(settings, () => CreateContext(settings, embeddedApp, loggerFactory), CreateCustom, out registry, out string? error), error, loggerFactory);

    /// <summary>As <see cref="TryCreate(Settings, ThriftApplication?, ILoggerFactory, out IServiceRegistry)"/>, with the reason returned instead of logged (--check-config).</summary>
    [RequiresUnreferencedCode(LoadsByName)]
    [RequiresDynamicCode(LoadsByName)]
    internal static bool TryCreate(Settings settings, ThriftApplication? embeddedApp, ILoggerFactory loggerFactory, out IServiceRegistry registry, out string? error) =>
        TryCreate(settings, () => CreateContext(settings, embeddedApp, loggerFactory), CreateCustom, out registry, out error);

    /// <summary>
    /// Embedded mode: as <see cref="TryCreate(Settings, ThriftApplication?, ILoggerFactory, out IServiceRegistry)"/> for the
    /// app registered in code, with the built-in backends only: a class named by service_register_cls is found by name,
    /// which a trimmed or NativeAOT program cannot promise.
    /// </summary>
    internal static bool TryCreateEmbedded(Settings settings, ThriftApplication app, ILoggerFactory loggerFactory, out IServiceRegistry registry, out string? error) =>
        TryCreate(settings, () => CreateContext(settings, app, MultiplexedNames(settings), loggerFactory),
            (typeName, _) => throw new InvalidOperationException($"service_register_cls: '{typeName}': an embedded program uses etcd or zookeeper; classes named here are for the tunicorn command"),
            out registry, out error);

    private static bool Logged(bool created, string? error, ILoggerFactory loggerFactory)
    {
        if (!created)
            NotStarted(loggerFactory.CreateLogger("tunicorn.registry"), error!);
        return created;
    }

    private static bool TryCreate(Settings settings, Func<ServiceRegistryContext> createContext,
        Func<string, ServiceRegistryContext, IServiceRegistry> createCustom, out IServiceRegistry registry, out string? error)
    {
        registry = new NoServiceRegistry();
        error = null;
        string backend = settings.ServiceRegisterCls;
        if (backend == "none")
            return true;
        try
        {
            var context = createContext();
            registry = backend switch
            {
                "etcd" => new EtcdRegistry(context),
                "zookeeper" => new ZooKeeperRegistry(context),
                _ => createCustom(backend, context),
            };
            return true;
        }
        catch (Exception e) when (e is FormatException or TypeLoadException or MissingMethodException or TargetInvocationException or InvalidOperationException)
        {
            error = e is TargetInvocationException { InnerException: { } inner } ? inner.Message : e.Message;
            return false;
        }
    }

    /// <summary>The context the settings describe; the app is loaded (again) only to learn its service name and version.</summary>
    [RequiresUnreferencedCode(LoadsByName)]
    [RequiresDynamicCode(LoadsByName)]
    public static ServiceRegistryContext CreateContext(Settings settings, ThriftApplication? app, ILoggerFactory loggerFactory)
    {
        IReadOnlyList<string> multiplexed = MultiplexedNames(settings);
        if (multiplexed.Count == 0 && app is null && settings.App is { } spec)
        {
            try
            {
                app = ThriftApplication.Load(spec);
            }
            catch (AppLoadException)
            {
                // The master already refused a broken app before it got here; without it the entries just name no service.
            }
        }
        return CreateContext(settings, app, multiplexed, loggerFactory);
    }

    private static IReadOnlyList<string> MultiplexedNames(Settings settings) => [.. settings.Services.Select(s => s[..s.IndexOf('=')])];

    private static ServiceRegistryContext CreateContext(Settings settings, ThriftApplication? app, IReadOnlyList<string> multiplexed, ILoggerFactory loggerFactory)
    {
        var options = RegistryOptions.Parse(settings.ServiceRegisterConf);
        IReadOnlyList<string> services = multiplexed.Count > 0 ? multiplexed : app is null ? [] : [app.ServiceType.Name];
        string name = options.Service
            ?? services.FirstOrDefault()
            ?? settings.ProcName
            ?? throw new FormatException("service_register_conf: no service name: set service = \"NAME\" (the app's Thrift service is unknown)");
        return new ServiceRegistryContext
        {
            Options = options,
            ServiceName = name,
            Services = services,
            Protocol = settings.ThriftProtocol.ToString().ToLowerInvariant(),
            Transport = settings.ThriftTransport.ToString().ToLowerInvariant(),
            Multiplexed = multiplexed.Count > 0,
            Version = VersionOf(app?.Assembly),
            LoggerFactory = loggerFactory,
        };
    }

    [RequiresUnreferencedCode(LoadsByName)]
    private static IServiceRegistry CreateCustom(string typeName, ServiceRegistryContext context)
    {
        var type = Type.GetType(typeName)
            ?? AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetType(typeName)).FirstOrDefault(t => t is not null)
            ?? throw new TypeLoadException($"service_register_cls: type '{typeName}' not found in the loaded assemblies");
        if (!typeof(IServiceRegistry).IsAssignableFrom(type) || type.IsAbstract)
            throw new InvalidOperationException($"service_register_cls: {type.FullName} does not implement {nameof(IServiceRegistry)}");
        var withContext = type.GetConstructor([typeof(ServiceRegistryContext)]);
        if (withContext is not null)
            return (IServiceRegistry)withContext.Invoke([context]);
        var parameterless = type.GetConstructor(Type.EmptyTypes)
            ?? throw new MissingMethodException($"service_register_cls: {type.FullName} has no public constructor taking a {nameof(ServiceRegistryContext)} (or none)");
        return (IServiceRegistry)parameterless.Invoke([]);
    }

    private static string? VersionOf(Assembly? assembly) =>
        assembly?.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? assembly?.GetName().Version?.ToString();

    [LoggerMessage(EventId = 4010, Level = LogLevel.Critical, Message = "Service registry not started: {Reason}")]
    private static partial void NotStarted(ILogger logger, string reason);
}
