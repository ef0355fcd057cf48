using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Thrift;
using Thrift.Processor;

namespace Tunicorn.Thrift;

/// <summary>
/// Recognises what the Thrift compiler generates for a service (<c>thrift --gen netstd</c>): a class
/// <c>Service</c> with a nested interface <c>IAsync</c> and a nested <c>AsyncProcessor : ITAsyncProcessor</c>.
/// A handler is a public concrete class implementing one such interface; for a service that extends another
/// (Calculator extends SharedService) it implements both, and the most derived one is served.
/// </summary>
internal static class HandlerDiscovery
{
    private const string InterfaceName = "IAsync";
    private const string ProcessorName = "AsyncProcessor";
    internal const string FindsByName = "Finds handler classes and generated processors by name, which trimming cannot see.";

    /// <summary>The generated service a handler type serves.</summary>
    public sealed record Service(Type Interface, Type ServiceType, Type ProcessorType);

    [RequiresUnreferencedCode(FindsByName)]
    public static IReadOnlyList<Type> LoadableTypes(Assembly assembly, out string? loadProblem)
    {
        try
        {
            loadProblem = null;
            return assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException e)
        {
            // Usually a dependency that is missing next to the assembly; the types that did load still count.
            loadProblem = string.Join("; ", e.LoaderExceptions.OfType<Exception>().Select(x => x.Message).Distinct().Take(3));
            return e.Types.OfType<Type>().ToArray();
        }
    }

    /// <summary>The generated services found in <paramref name="types"/>, for error messages.</summary>
    [RequiresUnreferencedCode(FindsByName)]
    public static IEnumerable<Type> Services(IEnumerable<Type> types) =>
        types.Where(t => t.IsInterface && TryGetService(t, out _)).Select(t => t.DeclaringType!);

    /// <summary>A public concrete class implementing at least one generated IAsync, and not a generated client.</summary>
    [RequiresUnreferencedCode(FindsByName)]
    public static bool IsCandidate(Type type) =>
        type is { IsClass: true, IsAbstract: false, IsVisible: true, ContainsGenericParameters: false }
        && !typeof(TBaseClient).IsAssignableFrom(type)
        && ServiceInterfaces(type).Any();

    /// <summary>
    /// The service <paramref name="handlerType"/> serves, or an error naming what is wrong with it (for a message
    /// that starts with the type's name).
    /// </summary>
    [RequiresUnreferencedCode(FindsByName)]
    public static Service? Describe(Type handlerType, out string? problem)
    {
        if (!IsHandlerClass(handlerType, out problem))
            return null;

        var services = ServiceInterfaces(handlerType).ToArray();
        if (services.Length == 0)
        {
            problem = "does not implement a generated Service.IAsync interface (thrift --gen netstd)";
            return null;
        }

        // The most derived: the interfaces no other one of the set extends.
        var mostDerived = services.Where(i => !services.Any(j => j.Interface != i.Interface && i.Interface.IsAssignableFrom(j.Interface))).ToArray();
        if (mostDerived.Length > 1)
        {
            problem = $"implements several unrelated services ({string.Join(", ", mostDerived.Select(s => s.ServiceType.FullName))}); " +
                "serve each one with its own --service NAME=SPEC";
            return null;
        }
        return mostDerived[0];
    }

    /// <summary>
    /// The service called <paramref name="serviceName"/> (the IDL name, e.g. <c>SecondService</c>, or the generated
    /// class's full name) that <paramref name="handlerType"/> serves, or an error naming what is wrong with it.
    /// </summary>
    [RequiresUnreferencedCode(FindsByName)]
    public static Service? Describe(Type handlerType, string serviceName, out string? problem)
    {
        if (!IsHandlerClass(handlerType, out problem))
            return null;
        Service? named = ServiceInterfaces(handlerType).FirstOrDefault(s => s.ServiceType.Name == serviceName || s.ServiceType.FullName == serviceName);
        if (named is null)
            problem = $"does not implement a generated {serviceName}.IAsync interface";
        return named;
    }

    /// <summary>
    /// The service whose generated processor is <paramref name="processorType"/>, named in code (embedded mode), or an
    /// error naming what is wrong with <paramref name="handlerType"/>: nothing is looked up by name.
    /// </summary>
    public static Service? Describe([DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.Interfaces)] Type handlerType, Type processorType, out string? problem)
    {
        if (!IsHandlerClass(handlerType, out problem))
            return null;
        Type? serviceType = processorType.DeclaringType;
        Type? iface = processorType.Name == ProcessorName && serviceType is not null
            ? handlerType.GetInterfaces().FirstOrDefault(i => i is { IsInterface: true, IsNested: true, Name: InterfaceName } && i.DeclaringType == serviceType)
            : null;
        if (iface is null)
            problem = $"does not implement {serviceType?.FullName ?? processorType.FullName}.IAsync, the service of {processorType.FullName}";
        return iface is null ? null : new Service(iface, serviceType!, processorType);
    }

    private static bool IsHandlerClass(Type handlerType, [NotNullWhen(false)] out string? problem)
    {
        problem = null;
        if (handlerType is not { IsClass: true, IsAbstract: false } || handlerType.ContainsGenericParameters)
            problem = "is not a concrete class";
        else if (typeof(TBaseClient).IsAssignableFrom(handlerType))
            problem = "is a generated client, not a handler";
        else if (!handlerType.IsVisible)
            problem = "is not public";
        return problem is null;
    }

    [RequiresUnreferencedCode(FindsByName)]
    private static IEnumerable<Service> ServiceInterfaces(Type type)
    {
        foreach (Type candidate in type.GetInterfaces())
        {
            if (TryGetService(candidate, out Service? service))
                yield return service;
        }
    }

    [RequiresUnreferencedCode(FindsByName)]
    private static bool TryGetService(Type iface, [NotNullWhen(true)] out Service? service)
    {
        service = null;
        if (iface is not { IsInterface: true, IsNested: true, Name: InterfaceName, DeclaringType: { } serviceType })
            return false;
        Type? processor = serviceType.GetNestedType(ProcessorName, BindingFlags.Public);
        // The generated processor implements ITAsyncProcessor of the Thrift assembly Tunicorn uses; the app load
        // context shares that assembly, so the check also proves both sides agree on the Thrift types.
        if (processor is null || !typeof(ITAsyncProcessor).IsAssignableFrom(processor))
            return false;
        service = new Service(iface, serviceType, processor);
        return true;
    }
}
