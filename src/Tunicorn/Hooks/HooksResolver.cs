using System.Diagnostics.CodeAnalysis;
using System.Reflection;

namespace Tunicorn.Hooks;

/// <summary>
/// Finds the hooks class: the type named by the <c>hooks</c> setting (in the app assembly, then in every loaded
/// assembly), or else the single <see cref="ServerHooks"/> subclass in the app assembly.
/// </summary>
internal static class HooksResolver
{
    internal const string FindsTypesByName =
        "Finds the hooks class by name or by scanning the app assembly, which trimming cannot see; an embedded program gives its hooks in code (TunicornHostBuilder.UseHooks).";

    [RequiresUnreferencedCode(FindsTypesByName)]
    public static ServerHooks Resolve(string? typeName, Assembly? appAssembly)
    {
        Type? type;
        if (!string.IsNullOrWhiteSpace(typeName))
        {
            type = appAssembly?.GetType(typeName, throwOnError: false)
                ?? AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetType(typeName, throwOnError: false)).FirstOrDefault(t => t is not null)
                ?? throw new HooksLoadException($"hooks: no type '{typeName}' in {appAssembly?.GetName().Name ?? "the app"} or the loaded assemblies");
        }
        else
        {
            var candidates = appAssembly is null ? [] : SafeTypes(appAssembly).Where(IsHooksClass).ToArray();
            if (candidates.Length > 1)
                throw new HooksLoadException($"hooks: several ServerHooks classes in {appAssembly!.GetName().Name} ({string.Join(", ", candidates.Select(t => t.FullName))}); name one with --hooks");
            type = candidates.SingleOrDefault();
            if (type is null)
                return new NoHooks();
        }

        if (!IsHooksClass(type))
            throw new HooksLoadException($"hooks: '{type.FullName}' is not a concrete class deriving from Tunicorn.Hooks.ServerHooks");
        try
        {
            return (ServerHooks)Activator.CreateInstance(type)!;
        }
        catch (Exception e) when (e is MissingMethodException or TargetInvocationException)
        {
            throw new HooksLoadException($"hooks: cannot create '{type.FullName}': {(e.InnerException ?? e).Message}", e);
        }
    }

    private static bool IsHooksClass(Type t) => t.IsClass && !t.IsAbstract && typeof(ServerHooks).IsAssignableFrom(t) && t != typeof(NoHooks);

    [RequiresUnreferencedCode(FindsTypesByName)]
    private static IEnumerable<Type> SafeTypes(Assembly assembly)
    {
        try
        {
            return assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException e)
        {
            return e.Types.OfType<Type>();
        }
    }
}
