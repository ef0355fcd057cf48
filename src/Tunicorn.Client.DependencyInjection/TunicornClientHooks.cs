using Tunicorn.Client.Balancing;
using Tunicorn.Client.Discovery;

namespace Tunicorn.Client.DependencyInjection;

/// <summary>What a client's builder set in code (named options, one per client), beside its settings.</summary>
internal sealed class TunicornClientHooks
{
    /// <summary>The configuration path the settings were bound from, for error messages ("Calculator:Etcd:Service").</summary>
    public string? SectionPath { get; set; }

    public Func<IServiceProvider, IServiceDiscovery>? Discovery { get; set; }

    public Func<IServiceProvider, IBalancingPolicy>? Balancing { get; set; }
}
