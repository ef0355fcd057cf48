using Microsoft.Extensions.DependencyInjection;
using Tunicorn.Client.Balancing;
using Tunicorn.Client.Discovery;

namespace Tunicorn.Client.DependencyInjection;

/// <summary>What configuration cannot say about a client: set in code on the builder AddTunicornClient returns.</summary>
public static class TunicornClientBuilderExtensions
{
    /// <summary>Changes the settings after configuration bound them (e.g. a value from a secret store).</summary>
    public static ITunicornClientBuilder ConfigureSettings(this ITunicornClientBuilder builder, Action<TunicornClientSettings> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Configure(builder.Name, configure);
        return builder;
    }

    /// <summary>
    /// The client's discovery, built from the container (your own <see cref="IServiceDiscovery"/>); it wins over the
    /// settings' Discovery, and the client owns it: it is disposed with the client.
    /// </summary>
    public static ITunicornClientBuilder UseDiscovery(this ITunicornClientBuilder builder, Func<IServiceProvider, IServiceDiscovery> discovery)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(discovery);
        builder.Services.Configure<TunicornClientHooks>(builder.Name, hooks => hooks.Discovery = discovery);
        return builder;
    }

    /// <summary>The client's balancing policy, built from the container; it wins over the settings' Balancing name.</summary>
    public static ITunicornClientBuilder UseBalancing(this ITunicornClientBuilder builder, Func<IServiceProvider, IBalancingPolicy> balancing)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(balancing);
        builder.Services.Configure<TunicornClientHooks>(builder.Name, hooks => hooks.Balancing = balancing);
        return builder;
    }
}
