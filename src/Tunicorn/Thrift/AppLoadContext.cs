using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.Loader;

namespace Tunicorn.Thrift;

/// <summary>
/// Loads an APP assembly with its own dependencies, resolved next to it through its .deps.json (the way
/// <c>dotnet</c> would run it), except the assemblies the host and the app must agree on: ApacheThrift (the
/// generated processor implements our ITAsyncProcessor and reads our protocols), Microsoft.Extensions.* (the
/// ILogger the processor gets) and Tunicorn (hooks classes derive from ServerHooks). Those come from the host
/// whatever version the app was built against, so an app built against a newer ApacheThrift may fail with a
/// MissingMethodException. Dependencies found neither beside the app nor by its .deps.json are looked for in the
/// app_probe_paths folders, in order.
/// </summary>
[RequiresUnreferencedCode("Loads an APP assembly from its path, which trimming cannot see.")]
internal sealed class AppLoadContext : AssemblyLoadContext
{
    private readonly AssemblyDependencyResolver _resolver;
    private readonly IReadOnlyList<string> _probeFolders;
    private readonly int _privateCopies;

    /// <param name="mainAssemblyPath">The app dll.</param>
    /// <param name="probeFolders">Absolute folders to look for dependencies in when the app's own folder has none.</param>
    /// <param name="isCollectible">True in the master, which loads the app again at every HUP and unloads the old copy.</param>
    public AppLoadContext(string mainAssemblyPath, IReadOnlyList<string>? probeFolders = null, bool isCollectible = false)
        : base($"tunicorn-app:{Path.GetFileName(mainAssemblyPath)}", isCollectible)
    {
        _resolver = new AssemblyDependencyResolver(mainAssemblyPath);
        _probeFolders = probeFolders ?? [];
        _privateCopies = isCollectible ? 0 : PrivateAppFolder.NewContextId();
    }

    public static bool IsShared(AssemblyName name) => name.Name is { } simple && (
        simple == "Thrift"
        || simple == "Tunicorn" || simple.StartsWith("Tunicorn.", StringComparison.Ordinal)
        || simple.StartsWith("Microsoft.Extensions.", StringComparison.Ordinal));

    /// <summary>
    /// True when the host itself lists <paramref name="path"/> (embedded mode, tests): the app is then loaded in the
    /// default context, so that its types are the ones the host's code already uses.
    /// </summary>
    public static bool IsHostAssembly(string path) =>
        AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") is string tpa
        && tpa.Split(Path.PathSeparator).Contains(path, StringComparer.Ordinal);

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (IsShared(assemblyName))
        {
            try
            {
                // By simple name: the host's version wins, whatever version the app references.
                return Default.LoadFromAssemblyName(new AssemblyName(assemblyName.Name!));
            }
            catch (FileNotFoundException)
            {
                // Not a host assembly (say Microsoft.Extensions.Http): the app brings its own.
            }
        }

        string? path = _resolver.ResolveAssemblyToPath(assemblyName) ?? Probe(assemblyName);
        // Null leaves framework assemblies to the default context.
        return path is null ? null : LoadImage(path);
    }

    /// <summary>The first probe folder's NAME.dll; never for a host or framework assembly, which the default context owns.</summary>
    private string? Probe(AssemblyName assemblyName)
    {
        if (_probeFolders.Count == 0 || assemblyName.Name is not { Length: > 0 } simple || IsPlatformAssembly(simple))
            return null;
        foreach (string folder in _probeFolders)
        {
            string candidate = Path.Combine(folder, simple + ".dll");
            if (File.Exists(candidate))
                return candidate;
        }
        return null;
    }

    private static readonly Lazy<HashSet<string>> PlatformAssemblies = new(() =>
        AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") is string tpa
            ? tpa.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Select(Path.GetFileNameWithoutExtension).OfType<string>()
                .ToHashSet(StringComparer.OrdinalIgnoreCase)
            : []);

    private static bool IsPlatformAssembly(string simpleName) => PlatformAssemblies.Value.Contains(simpleName);

    /// <summary>
    /// Loads <paramref name="path"/> so that overwriting it later changes nothing here. A context kept for good (a
    /// worker's app) maps a private copy of the file (<see cref="PrivateAppFolder"/>), so the runtime runs the image's
    /// ReadyToRun code instead of compiling every method; the runtime never uses ReadyToRun code in a collectible
    /// context (the master's, reloaded at every HUP), which therefore loads the bytes (<see cref="LoadCopy"/>).
    /// Without a usable temporary folder (a read-only file system, a full disk) the bytes are loaded too: the worker
    /// then runs as before, only without the app's precompiled code.
    /// </summary>
    public Assembly LoadImage(string path)
    {
        if (IsCollectible)
            return LoadCopy(path);
        string copy;
        try
        {
            copy = PrivateAppFolder.Copy(_privateCopies, path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            PrivateAppFolder.RecordFailure(path, e);
            return LoadCopy(path);
        }
        return LoadFromAssemblyPath(copy);
    }

    /// <summary>
    /// Loads the bytes of the file, not a mapping of it: a deploy that overwrites the dll in place (cp) must not
    /// change the code under running workers or the master, which would crash them; a HUP then reads the new bytes.
    /// </summary>
    public Assembly LoadCopy(string path)
    {
        using var image = new MemoryStream(File.ReadAllBytes(path), writable: false);
        string symbols = Path.ChangeExtension(path, ".pdb");
        if (!File.Exists(symbols))
            return LoadFromStream(image);
        using var pdb = new MemoryStream(File.ReadAllBytes(symbols), writable: false);
        return LoadFromStream(image, pdb);
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        string? path = _resolver.ResolveUnmanagedDllToPath(unmanagedDllName);
        return path is null ? IntPtr.Zero : LoadUnmanagedDllFromPath(path);
    }
}
