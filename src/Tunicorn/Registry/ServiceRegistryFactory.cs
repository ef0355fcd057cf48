using System.Reflection;
using Microsoft.Extensions.Logging;
using Tunicorn.Config;
using Tunicorn.Thrift;

namespace Tunicorn.Registry;

/// <summary>Builds the master's <see cref="IServiceRegistry"/> from service_register_cls and service_register_conf.</summary>
public static partial class ServiceRegistryFactory
{
    /// <summary>
    /// The registry the settings name, or false (after logging why) when it cannot be built: a custom type that does
    /// not exist or does not implement IServiceRegistry. A registry that is merely down is not an error here.
    /// </summary>
    /// <param name="embeddedApp">The app registered in code (embedded mode), whose service names the entries carry.</param>
    public static bool TryCreate(Settings settings, ThriftApplication? embeddedApp, ILoggerFactory loggerFactory, out IServiceRegistry registry)
    {
        var log = loggerFactory.CreateLogger("tunicorn.registry");
        registry = new NoServiceRegistry();
        string backend = settings.ServiceRegisterCls;
        if (backend == "none")
            return true;
        try
        {
            var context = CreateContext(settings, embeddedApp, loggerFactory);
            registry = backend switch
            {
                "etcd" => new EtcdRegistry(context),
                "zookeeper" => new ZooKeeperRegistry(context),
                _ => CreateCustom(backend, context),
            };
            return true;
        }
        catch (Exception e) when (e is FormatException or TypeLoadException or MissingMethodException or TargetInvocationException or InvalidOperationException)
        {
            NotStarted(log, e is TargetInvocationException { InnerException: { } inner } ? inner.Message : e.Message);
            return false;
        }
    }

    /// <summary>The context the settings describe; the app is loaded (again) only to learn its service name and version.</summary>
    public static ServiceRegistryContext CreateContext(Settings settings, ThriftApplication? app, ILoggerFactory loggerFactory)
    {
        var options = RegistryOptions.Parse(settings.ServiceRegisterConf);
        IReadOnlyList<string> multiplexed = [.. settings.Services.Select(s => s[..s.IndexOf('=')])];
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
