namespace Tunicorn.Registry;

/// <summary>
/// Where a Tunicorn master registers when service_register_conf names no path, and so where its clients look:
/// <c>/tunicorn/services/SERVICE</c>, the ZooKeeper parent node or the etcd key prefix (plus '/') of the entries.
/// </summary>
internal static class RegistryPaths
{
    public const string DefaultRoot = "/tunicorn/services";

    /// <summary>The default path of <paramref name="service"/>'s entries.</summary>
    public static string For(string service) =>
        string.IsNullOrEmpty(service) || service.Contains('/')
            ? throw new ArgumentException($"'{service}' is not a service name", nameof(service))
            : $"{DefaultRoot}/{service}";

    /// <summary>
    /// A discovery's path: <paramref name="path"/> as given, else <paramref name="service"/>'s default; no trailing '/'.
    /// </summary>
    /// <param name="owner">The options type, named when neither is set.</param>
    public static string Resolve(string? path, string? service, string owner) =>
        (path ?? (service is not null ? For(service) : throw new InvalidOperationException($"{owner} needs a Service or a Path"))).TrimEnd('/');
}
